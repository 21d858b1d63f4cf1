package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.util.Collection;

/**
 * The hot tier: entries in memory, bounded in bytes ({@link CachedResult#memoryBytes()}), expired
 * entries never returned. Safe for concurrent use; no call blocks for long or does I/O, so any may
 * be called from event loops.
 *
 * <p>Invalidating a table or a database only records it in the {@link InvalidationLog}: an entry
 * stored before that is stale, never returned, and removed when it is next looked up or evicted.
 * So an invalidation touches no entry, however many it drops; stale entries still count against
 * the byte bound until then.
 */
public interface MemoryTier {

    /** The unexpired, not stale entry of the key, recording a hit on it, or null. The entry is not copied. */
    CachedResult get(CacheKey key, long nowMillis);

    /**
     * Whether an entry this tier stored is still kept (not evicted, expired on look-up or replaced)
     * and no invalidation has made it stale: what may be written to the cache file.
     */
    boolean holds(CachedResult entry);

    /**
     * The current invalidation sequence. Take it before sending a query upstream and pass it to
     * {@link #put(CachedResult, long)}, so that a result overtaken by a write is not stored.
     */
    long invalidationSequence();

    /** Stores the entry unconditionally (and tells the listener); false if it is too large. */
    boolean put(CachedResult entry);

    /**
     * Stores the entry and tells the listener, unless one of its tables or its database was
     * invalidated after {@code sequence} (see {@link #invalidationSequence()}) or it is too large.
     */
    boolean put(CachedResult entry, long sequence);

    /** Like {@link #put(CachedResult, long)} without telling the listener: for entries read from it. */
    boolean promote(CachedResult entry, long sequence);

    void invalidateKeys(Collection<CacheKey> keys);

    void invalidateTable(String database, long tableOid);

    void invalidateDatabase(String database);

    void invalidateAll();

    int size();

    long bytes();

    long maxBytes();

    /** The largest entry accepted: the configured cap, or the whole bound if smaller. */
    long maxEntryBytes();

    /**
     * Whether a store now would most likely evict no unexpired entry: the tier is short of its bound
     * by more than 1/64 of it. Read without a lock, so approximate.
     */
    boolean hasRoom();
}

package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hot tier: entries in memory, bounded in bytes, least recently used evicted first, expired
 * entries never returned. Safe for concurrent use; each call holds one lock for a few map
 * operations and does no I/O, so it may be called from event loops.
 *
 * <p>Invalidating a table or a database only records it in the {@link InvalidationLog}: an entry
 * stored before that is stale, never returned, and removed when it is next looked up or evicted.
 * So a store touches one map and an invalidation no entry, however many it drops; stale entries
 * still count against the byte bound until then.
 */
public final class MemoryTier {
    private final long maxBytes;
    private final long maxEntryBytes;
    private final CacheStats stats;
    private final MemoryTierListener listener;
    /** Expired least recently used entries a store drops besides what it evicts: a bounded cost per store. */
    private static final int EXPIRED_DROPPED_PER_STORE = 4;
    /** The share of the bound that must be free for {@link #hasRoom()}: more than a store leaves once full. */
    private static final long ROOM_SLACK_FRACTION = 64;
    /** Entries that leave the tier per judgement of whether storing on room pays (see {@link #roomPays()}). */
    static final int LEFT_PER_JUDGEMENT = 16_384;
    /** Below this share of entries read before they left, stores on room stop; above twice it, they resume. */
    static final double READ_SHARE_TO_STOP = 0.05;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<CacheKey, CachedResult> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final InvalidationLog invalidations = new InvalidationLog();
    private long bytes;
    private int leftLately;
    private int leftReadLately;
    private volatile boolean roomPays = true;
    /** {@link #bytes} as of the last change, for readers that do not take the lock. */
    private volatile long bytesPublished;

    public MemoryTier(long maxBytes, long maxEntryBytes, CacheStats stats, MemoryTierListener listener) {
        if (maxBytes <= 0 || maxEntryBytes <= 0) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxEntryBytes = Math.min(maxEntryBytes, maxBytes);
        this.stats = Objects.requireNonNull(stats, "stats");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The unexpired entry of the key, recording a hit on it, or null. The entry is not copied. */
    public CachedResult get(CacheKey key, long nowMillis) {
        CachedResult entry;
        lock.lock();
        try {
            entry = entries.get(key);
            if (entry != null && (entry.isExpired(nowMillis) || isStaleLocked(entry))) {
                removeLocked(key);
                publishUsage();
                return null;
            }
        } finally {
            lock.unlock();
        }
        if (entry != null) {
            entry.recordHit(nowMillis);
        }
        return entry;
    }

    /**
     * Whether an entry this tier stored is still kept (not evicted, expired on look-up or replaced)
     * and no invalidation has made it stale: what may be written to the cache file.
     */
    public boolean holds(CachedResult entry) {
        lock.lock();
        try {
            return !entry.isDropped() && !isStaleLocked(entry);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The current invalidation sequence. Take it before sending a query upstream and pass it to
     * {@link #put(CachedResult, long)}, so that a result overtaken by a write is not stored.
     */
    public long invalidationSequence() {
        lock.lock();
        try {
            return invalidations.current();
        } finally {
            lock.unlock();
        }
    }

    /** Stores the entry unconditionally (and tells the listener); false if it is too large. */
    public boolean put(CachedResult entry) {
        return insert(entry, -1, true);
    }

    /**
     * Stores the entry and tells the listener, unless one of its tables or its database was
     * invalidated after {@code sequence} (see {@link #invalidationSequence()}) or it is too large.
     */
    public boolean put(CachedResult entry, long sequence) {
        return insert(entry, sequence, true);
    }

    /** Like {@link #put(CachedResult, long)} without telling the listener: for entries read from it. */
    public boolean promote(CachedResult entry, long sequence) {
        return insert(entry, sequence, false);
    }

    private boolean insert(CachedResult entry, long sequence, boolean notify) {
        if (entry.memoryBytes() > maxEntryBytes) {
            return false;
        }
        long evicted;
        lock.lock();
        try {
            if (sequence >= 0 && invalidations.invalidatedSince(sequence, entry.database(), entry.tableOidsShared())) {
                return false;
            }
            removeLocked(entry.key());
            addLocked(entry);
            // Its creation time, not the clock: never later than now, so no unexpired entry is dropped.
            evicted = evictLocked(entry.createdAt());
            if (notify) {
                listener.stored(entry);
            }
            publishUsage();
        } finally {
            lock.unlock();
        }
        stats.store();
        stats.evicted(evicted);
        return true;
    }

    public void invalidateKeys(Collection<CacheKey> keys) {
        List<CacheKey> copy = List.copyOf(keys);
        lock.lock();
        try {
            copy.forEach(this::removeLocked);
            listener.keysInvalidated(copy);
            publishUsage();
        } finally {
            lock.unlock();
        }
        stats.invalidation();
    }

    /** What a statement or a transaction wrote: its tables under one taking of the lock. */
    public void invalidateTables(String database, long... tableOids) {
        lock.lock();
        try {
            for (long oid : tableOids) {
                invalidations.table(new TableRef(database, oid));
                listener.tableInvalidated(database, oid);
            }
        } finally {
            lock.unlock();
        }
        stats.invalidations(tableOids.length);
    }

    public void invalidateDatabase(String database) {
        lock.lock();
        try {
            invalidations.database(database);
            listener.databaseInvalidated(database);
            publishUsage();
        } finally {
            lock.unlock();
        }
        stats.invalidation();
    }

    public void invalidateAll() {
        lock.lock();
        try {
            invalidations.all();
            entries.values().forEach(CachedResult::markDropped);
            entries.clear();
            bytes = 0;
            listener.allInvalidated();
            publishUsage();
        } finally {
            lock.unlock();
        }
        stats.invalidation();
    }

    public int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The largest entry accepted: the configured cap, or the whole bound if smaller. */
    public long maxEntryBytes() {
        return maxEntryBytes;
    }

    private void addLocked(CachedResult entry) {
        entry.storedAt(invalidations.current());
        entries.put(entry.key(), entry);
        bytes += entry.memoryBytes();
    }

    private boolean isStaleLocked(CachedResult entry) {
        return invalidations.invalidatedSince(entry.storedAt(), entry.database(), entry.tableOidsShared());
    }

    private void removeLocked(CacheKey key) {
        CachedResult entry = entries.remove(key);
        if (entry == null) {
            return;
        }
        entry.markDropped();
        bytes -= entry.memoryBytes();
        judgeRoom(entry);
    }

    /** Counts the entry that left, and judges again once enough have. */
    private void judgeRoom(CachedResult left) {
        leftLately++;
        if (left.hits() > 0) {
            leftReadLately++;
        }
        if (leftLately >= LEFT_PER_JUDGEMENT) {
            double readShare = (double) leftReadLately / leftLately;
            roomPays = roomPays ? readShare >= READ_SHARE_TO_STOP : readShare >= 2 * READ_SHARE_TO_STOP;
            leftLately = 0;
            leftReadLately = 0;
        }
    }

    /**
     * Drops a few expired entries at the least recently used end, so that the room they held counts
     * as free (see {@link #hasRoom()}) and no live entry is evicted in their place; then evicts the
     * least recently used while over the bound.
     */
    private long evictLocked(long nowMillis) {
        for (int i = 0; i < EXPIRED_DROPPED_PER_STORE && !entries.isEmpty() && eldest().isExpired(nowMillis); i++) {
            removeLocked(eldest().key());
        }
        long evicted = 0;
        while (bytes > maxBytes && !entries.isEmpty()) {
            removeLocked(eldest().key());
            evicted++;
        }
        return evicted;
    }

    /** The least recently used entry; the tier must hold one. */
    private CachedResult eldest() {
        return entries.values().iterator().next();
    }

    /**
     * Whether a store now would most likely evict no unexpired entry: the tier is short of its bound
     * by more than {@link #ROOM_SLACK_FRACTION} of it. Read without the lock, so approximate.
     */
    public boolean hasRoom() {
        return bytesPublished < maxBytes - maxBytes / ROOM_SLACK_FRACTION;
    }

    /**
     * Whether results stored because the tier had room were worth it lately: false while nearly all
     * entries left the tier (evicted, expired, dropped) without being read once, as when reads never
     * repeat (a point lookup over ten million keys), where each such store costs a copy, an insert and
     * an eviction for nothing. Judged on every {@value #LEFT_PER_JUDGEMENT} entries that leave.
     */
    public boolean roomPays() {
        return roomPays;
    }

    private void publishUsage() {
        bytesPublished = bytes;
        stats.memoryUsage(bytes, entries.size());
    }
}

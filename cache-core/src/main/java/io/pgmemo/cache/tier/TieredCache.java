package io.pgmemo.cache.tier;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.util.Collection;
import java.util.List;

/**
 * The memory tier and its snapshot in a DuckDB file. Reads are answered from memory only
 * ({@link #getHot}, non-blocking): a memory miss goes upstream, never to the file. The file is a
 * snapshot of the memory tier, written behind ({@link DuckDbSnapshot}, on its own thread) and loaded
 * at start ({@link #open}): a warm restart. Every store and invalidation of the memory tier is
 * mirrored to it in the same order, and an entry is stored in neither when one of its tables was
 * invalidated after its query started.
 */
public final class TieredCache implements AutoCloseable {
    private final CacheConfig config;
    private final CacheStats stats;
    private final DuckDbSnapshot file;
    private final MemoryTier memory;

    TieredCache(CacheConfig config, CacheStats stats, DuckDbSnapshot file) {
        this.config = config;
        this.stats = stats;
        this.file = file;
        this.memory = new MemoryTier(config.memoryBytes(), config.maxEntryBytes(), stats, file);
        file.writeBackOnlyWhile(memory::holds);
    }

    /**
     * Opens the cache file and fills the memory tier with its most recently hit unexpired entries.
     * Blocks; call at startup.
     *
     * @throws CacheFileLockedException if another instance has the file open
     */
    public static TieredCache open(CacheConfig config, CacheStats stats) {
        TieredCache cache = new TieredCache(config, stats, DuckDbSnapshot.open(config, stats));
        cache.warm(System.currentTimeMillis());
        return cache;
    }

    /** A cache without a file. */
    public static TieredCache memoryOnly(CacheConfig config, CacheStats stats) {
        return new TieredCache(config, stats, DuckDbSnapshot.disabled(stats));
    }

    void warm(long nowMillis) {
        List<CachedResult> recentFirst = file.loadUnexpired(config.memoryBytes(), nowMillis).join();
        long sequence = memory.invalidationSequence();
        // Least recent first, so that the most recently hit end up newest in the LRU order.
        for (int i = recentFirst.size() - 1; i >= 0; i--) {
            memory.promote(recentFirst.get(i), sequence);
        }
    }

    /** A new entry expiring after the configured TTL. */
    public CachedResult newEntry(CacheKey key, String database, String role, long[] tableOids,
            byte[] response, long rows, long nowMillis) {
        return CachedResult.create(key, database, role, tableOids, response, rows, nowMillis,
                nowMillis + config.ttl().toMillis());
    }

    /** The entry from memory, or null; non-blocking. A hit is counted, a miss is not: the caller counts it. */
    public CachedResult getHot(CacheKey key, long nowMillis) {
        CachedResult entry = peekHot(key, nowMillis);
        if (entry != null) {
            served(entry);
        }
        return entry;
    }

    /**
     * The entry from memory, or null, without counting it: for reads answered only if all of them are
     * stored (a pipelined cycle). Count each one served with {@link #served}.
     */
    public CachedResult peekHot(CacheKey key, long nowMillis) {
        return memory.get(key, nowMillis);
    }

    /** An entry found by {@link #peekHot} answered a read. */
    public void served(CachedResult entry) {
        stats.hit();
        file.touch(entry);
    }

    /** Take before sending the query upstream; pass to {@link #put}. */
    public long invalidationSequence() {
        return memory.invalidationSequence();
    }

    /**
     * Stores the entry in memory (and, behind, in the file) unless it is too large or one of its
     * tables (or its database) was invalidated after {@code sequence}. Non-blocking.
     */
    public boolean put(CachedResult entry, long sequence) {
        return memory.put(entry, sequence);
    }

    public void invalidateTables(String database, long... tableOids) {
        memory.invalidateTables(database, tableOids);
    }

    public void invalidateDatabase(String database) {
        memory.invalidateDatabase(database);
    }

    public void invalidateAll() {
        memory.invalidateAll();
    }

    public void invalidateKeys(Collection<CacheKey> keys) {
        memory.invalidateKeys(keys);
    }

    public MemoryTier memory() {
        return memory;
    }

    public DuckDbSnapshot file() {
        return file;
    }

    public CacheStats stats() {
        return stats;
    }

    /** Writes what is queued to the file and closes it. */
    @Override
    public void close() {
        file.close();
    }
}

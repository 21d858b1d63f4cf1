package io.pgmemo.cache.tier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory tier on Caffeine: weighted by {@link CachedResult#memoryBytes()}, W-TinyLFU admission
 * and eviction, each entry expiring at its own {@link CachedResult#expiresAt()}.
 *
 * <p>Look-ups take no lock. Stores and invalidations take one, so that the listener hears them in
 * the order they happened and a store's check against the {@link InvalidationLog} and its insertion
 * are one step. Caffeine's upkeep (evictions, expiries) runs on the calling thread
 * ({@code executor(Runnable::run)}), never on a pool: it is bounded work on the map, no I/O.
 *
 * <p>Caffeine's clock is the tier's own: the latest {@code nowMillis} (or creation time of a stored
 * entry) it was given, so expiry follows the times callers pass, as {@link CachedResult#isExpired} does.
 */
public final class CaffeineMemoryTier implements MemoryTier {
    /** The share of the bound that must be free for {@link #hasRoom()}: more than a store leaves once full. */
    private static final long ROOM_SLACK_FRACTION = 64;

    private final long maxBytes;
    private final long maxEntryBytes;
    private final CacheStats stats;
    private final MemoryTierListener listener;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InvalidationLog invalidations = new InvalidationLog();
    private final AtomicLong clockMillis = new AtomicLong();
    /** Bytes and entries held, changed once per entry that comes in or goes out, whatever removed it. */
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final Map<CacheKey, CachedResult> entries;
    private final Cache<CacheKey, CachedResult> cache;

    public CaffeineMemoryTier(long maxBytes, long maxEntryBytes, CacheStats stats, MemoryTierListener listener) {
        if (maxBytes <= 0 || maxEntryBytes <= 0) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxEntryBytes = Math.min(maxEntryBytes, maxBytes);
        this.stats = Objects.requireNonNull(stats, "stats");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey key, CachedResult entry) -> (int) Math.min(Integer.MAX_VALUE, entry.memoryBytes()))
                .expireAfter(new AtOwnExpiry())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clockMillis.get()))
                .executor(Runnable::run)
                .evictionListener(this::evicted)
                .build();
        this.entries = cache.asMap();
    }

    @Override
    public CachedResult get(CacheKey key, long nowMillis) {
        advanceClock(nowMillis);
        CachedResult entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.isExpired(nowMillis) || isStale(entry)) {
            if (entries.remove(key, entry)) {
                left(entry);
            }
            return null;
        }
        entry.recordHit(nowMillis);
        return entry;
    }

    @Override
    public boolean holds(CachedResult entry) {
        return !entry.isDropped() && !isStale(entry);
    }

    @Override
    public long invalidationSequence() {
        return invalidations.current();
    }

    @Override
    public boolean put(CachedResult entry) {
        return insert(entry, -1, true);
    }

    @Override
    public boolean put(CachedResult entry, long sequence) {
        return insert(entry, sequence, true);
    }

    @Override
    public boolean promote(CachedResult entry, long sequence) {
        return insert(entry, sequence, false);
    }

    private boolean insert(CachedResult entry, long sequence, boolean notify) {
        if (entry.memoryBytes() > maxEntryBytes) {
            return false;
        }
        // Its creation time, not the clock: never later than now, so no unexpired entry expires early.
        advanceClock(entry.createdAt());
        writeLock.lock();
        try {
            if (sequence >= 0 && invalidations.invalidatedSince(sequence, entry.database(), entry.tableOidsShared())) {
                return false;
            }
            entry.storedAt(invalidations.current());
            came(entry);
            CachedResult replaced = entries.put(entry.key(), entry);
            if (replaced != null) {
                left(replaced);
            }
            if (notify) {
                listener.stored(entry);
            }
        } finally {
            writeLock.unlock();
        }
        stats.store();
        publishUsage();
        return true;
    }

    @Override
    public void invalidateKeys(Collection<CacheKey> keys) {
        List<CacheKey> copy = List.copyOf(keys);
        writeLock.lock();
        try {
            copy.forEach(this::remove);
            listener.keysInvalidated(copy);
        } finally {
            writeLock.unlock();
        }
        stats.invalidation();
        publishUsage();
    }

    @Override
    public void invalidateTable(String database, long tableOid) {
        TableRef table = new TableRef(database, tableOid);
        writeLock.lock();
        try {
            invalidations.table(table);
            listener.tableInvalidated(database, tableOid);
        } finally {
            writeLock.unlock();
        }
        stats.invalidation();
    }

    @Override
    public void invalidateDatabase(String database) {
        writeLock.lock();
        try {
            invalidations.database(database);
            listener.databaseInvalidated(database);
        } finally {
            writeLock.unlock();
        }
        stats.invalidation();
    }

    @Override
    public void invalidateAll() {
        writeLock.lock();
        try {
            invalidations.all();
            entries.keySet().forEach(this::remove);
            listener.allInvalidated();
        } finally {
            writeLock.unlock();
        }
        stats.invalidation();
        publishUsage();
    }

    /** After Caffeine's pending upkeep, so that evictions due are counted. Not for event loops: it may wait. */
    @Override
    public int size() {
        cache.cleanUp();
        return (int) count.get();
    }

    /** After Caffeine's pending upkeep; not for event loops: it may wait. */
    @Override
    public long bytes() {
        cache.cleanUp();
        return bytes.get();
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public long maxEntryBytes() {
        return maxEntryBytes;
    }

    @Override
    public boolean hasRoom() {
        return bytes.get() < maxBytes - maxBytes / ROOM_SLACK_FRACTION;
    }

    private boolean isStale(CachedResult entry) {
        return invalidations.invalidatedSince(entry.storedAt(), entry.database(), entry.tableOidsShared());
    }

    private void remove(CacheKey key) {
        CachedResult removed = entries.remove(key);
        if (removed != null) {
            left(removed);
        }
    }

    /** Caffeine let go of it: evicted for room (counted), expired, or collected. */
    private void evicted(CacheKey key, CachedResult entry, RemovalCause cause) {
        if (entry == null) {
            return;
        }
        left(entry);
        if (cause == RemovalCause.SIZE) {
            stats.evicted(1);
        }
        publishUsage();
    }

    private void came(CachedResult entry) {
        bytes.addAndGet(entry.memoryBytes());
        count.incrementAndGet();
    }

    private void left(CachedResult entry) {
        entry.markDropped();
        bytes.addAndGet(-entry.memoryBytes());
        count.decrementAndGet();
    }

    private void advanceClock(long nowMillis) {
        long clock = clockMillis.get();
        while (nowMillis > clock && !clockMillis.compareAndSet(clock, nowMillis)) {
            clock = clockMillis.get();
        }
    }

    private void publishUsage() {
        stats.memoryUsage(bytes.get(), count.get());
    }

    /** Each entry lives until its own expiry time, on the tier's clock; a hit does not extend it. */
    private static final class AtOwnExpiry implements Expiry<CacheKey, CachedResult> {
        @Override
        public long expireAfterCreate(CacheKey key, CachedResult entry, long currentTime) {
            return TimeUnit.MILLISECONDS.toNanos(entry.expiresAt()) - currentTime;
        }

        @Override
        public long expireAfterUpdate(CacheKey key, CachedResult entry, long currentTime, long currentDuration) {
            return expireAfterCreate(key, entry, currentTime);
        }

        @Override
        public long expireAfterRead(CacheKey key, CachedResult entry, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}

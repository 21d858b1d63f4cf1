package io.pgmemo.cache.stats;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the cache, shared by its tiers. Counters only grow; the byte and entry figures are
 * gauges set by the tier that owns them.
 */
public final class CacheStats {
    private final LongAdder hits = new LongAdder();
    private final LongAdder fileHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final LongAdder relayedCold = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder fileEvictions = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder checksumFailures = new LongAdder();
    private final AtomicLong memoryBytes = new AtomicLong();
    private final AtomicLong memoryEntries = new AtomicLong();
    private final AtomicLong fileBytes = new AtomicLong();
    private final AtomicLong fileEntries = new AtomicLong();
    private final AtomicLong fileDiskBytes = new AtomicLong();

    /** A lookup answered from the cache (either tier). */
    public void hit() {
        hits.increment();
    }

    /** A lookup answered from the persistent tier; also counted by {@link #hit()}. */
    public void fileHit() {
        fileHits.increment();
    }

    public void miss() {
        misses.increment();
    }

    /** A miss answered by another session's identical query already on its way upstream. */
    public void coalesced() {
        coalesced.increment();
    }

    /** A read of a statement whose reads rarely hit, relayed without a look-up (not a miss). */
    public void relayedCold() {
        relayedCold.increment();
    }

    /** An entry accepted by the memory tier. */
    public void store() {
        stores.increment();
    }

    /** Entries dropped from memory to make room (not expiry, not invalidation). */
    public void evicted(long count) {
        evictions.add(count);
    }

    /** Rows deleted from the file to keep it under its bound. */
    public void fileEvicted(long count) {
        fileEvictions.add(count);
    }

    /** One invalidation request (a table, a database, all, or a set of keys). */
    public void invalidation() {
        invalidations.increment();
    }

    public void invalidations(int count) {
        invalidations.add(count);
    }

    public void checksumFailure() {
        checksumFailures.increment();
    }

    public void memoryUsage(long bytes, long entries) {
        memoryBytes.set(bytes);
        memoryEntries.set(entries);
    }

    public void fileUsage(long entryBytes, long entries, long diskBytes) {
        fileBytes.set(entryBytes);
        fileEntries.set(entries);
        fileDiskBytes.set(diskBytes);
    }

    public Snapshot snapshot() {
        return new Snapshot(hits.sum(), fileHits.sum(), misses.sum(), coalesced.sum(), relayedCold.sum(), stores.sum(),
                evictions.sum(),
                fileEvictions.sum(), invalidations.sum(), checksumFailures.sum(), memoryBytes.get(),
                memoryEntries.get(), fileBytes.get(), fileEntries.get(), fileDiskBytes.get());
    }

    /** Values at one moment, with a one-line {@link #toString()} for periodic logging. */
    public record Snapshot(long hits, long fileHits, long misses, long coalesced, long relayedCold, long stores,
            long evictions, long fileEvictions,
            long invalidations, long checksumFailures, long memoryBytes, long memoryEntries, long fileBytes,
            long fileEntries, long fileDiskBytes) {

        public double hitRatio() {
            long lookups = hits + misses;
            return lookups == 0 ? 0.0 : (double) hits / lookups;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "cache hits=%d (file %d) misses=%d (coalesced %d) ratio=%.3f relayedCold=%d stores=%d evictions=%d"
                            + " fileEvictions=%d"
                            + " invalidations=%d checksumFailures=%d memory=%d entries/%s file=%d entries/%s disk=%s",
                    hits, fileHits, misses, coalesced, hitRatio(), relayedCold, stores, evictions, fileEvictions,
                    invalidations,
                    checksumFailures, memoryEntries, mib(memoryBytes), fileEntries, mib(fileBytes), mib(fileDiskBytes));
        }

        private static String mib(long bytes) {
            return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / 1048576.0);
        }
    }
}

package io.pgmemo.cache.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheStatsTest {

    @Test
    void snapshotHoldsTheCountsAndPrintsOneLine() {
        CacheStats stats = new CacheStats();
        stats.hit();
        stats.hit();
        stats.fileHit();
        stats.miss();
        stats.coalesced();
        stats.relayedCold();
        stats.relayedCold();
        stats.store();
        stats.evicted(3);
        stats.fileEvicted(4);
        stats.invalidation();
        stats.checksumFailure();
        stats.memoryUsage(2 << 20, 7);
        stats.fileUsage(3 << 20, 9, 5 << 20);

        CacheStats.Snapshot s = stats.snapshot();

        assertThat(s).isEqualTo(new CacheStats.Snapshot(2, 1, 1, 1, 2, 1, 3, 4, 1, 1, 2 << 20, 7, 3 << 20, 9, 5 << 20));
        assertThat(s.hitRatio()).isEqualTo(2.0 / 3);
        assertThat(s.toString())
                .doesNotContain("\n")
                .isEqualTo("cache hits=2 (file 1) misses=1 (coalesced 1) ratio=0.667 relayedCold=2 stores=1 evictions=3"
                        + " fileEvictions=4"
                        + " invalidations=1 checksumFailures=1 memory=7 entries/2.0MiB file=9 entries/3.0MiB"
                        + " disk=5.0MiB");
    }

    @Test
    void emptyRatioIsZero() {
        assertThat(new CacheStats().snapshot().hitRatio()).isZero();
    }
}

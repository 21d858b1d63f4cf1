package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.DB;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieredCacheTest {
    private static final int SIZE = 10_000;

    @TempDir
    Path dir;

    private final CacheStats stats = new CacheStats();
    private final long now = System.currentTimeMillis();

    private CacheConfig config(long memoryBytes) {
        return CacheConfig.defaults().withFile(dir.resolve("cache.duckdb")).withMemoryBytes(memoryBytes)
                .withMaxEntryBytes(1 << 20).withTtl(Duration.ofMinutes(5));
    }

    private CachedResult entry(TieredCache cache, int i, long... tables) {
        return cache.newEntry(key(i), DB, "alice", tables, TestEntries.response(i, SIZE), i,
                now + i);
    }

    @Test
    void aStoredEntryIsServedFromMemoryAndKeptInTheFile() {
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            CachedResult e = entry(cache, 1, 10);
            assertThat(e.expiresAt()).isEqualTo(now + 1 + 300_000);

            assertThat(cache.put(e, cache.invalidationSequence())).isTrue();

            assertThat(cache.getHot(key(1), now)).isSameAs(e);
            assertThat(cache.file().get(key(1), now).join()).isPresent();
            assertThat(cache.getHot(key(2), now)).isNull();
            assertThat(stats.snapshot()).extracting(CacheStats.Snapshot::hits, CacheStats.Snapshot::misses)
                    .containsExactly(1L, 0L);
        }
    }

    /** What the file is for: a restart starts with the entries the last run held, bytes for bytes. */
    @Test
    void entriesSurviveARestart() {
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            cache.put(entry(cache, 1, 10), cache.invalidationSequence());
            cache.put(entry(cache, 2, 11), cache.invalidationSequence());
        }

        try (TieredCache restarted = TieredCache.open(config(64 << 20), stats)) {
            CachedResult one = restarted.getHot(key(1), now);
            assertThat(one.response()).isEqualTo(TestEntries.response(1, SIZE));
            assertThat(one.tableOids()).containsExactly(10);
            assertThat(one.expiresAt()).as("its own expiry, not a new TTL").isEqualTo(now + 1 + 300_000);
            assertThat(restarted.getHot(key(2), now)).isNotNull();
            restarted.invalidateTables(DB, 10);
            assertThat(restarted.getHot(key(1), now)).as("invalidation works on loaded entries").isNull();
        }
    }

    @Test
    void aRestartWarmsMemoryWithTheMostRecentlyHitEntries() {
        long one;
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            one = entry(cache, 10).sizeBytes(); // what the file charges it, more than memory does
            for (int i = 10; i < 20; i++) {
                cache.put(entry(cache, i), cache.invalidationSequence());
            }
            cache.getHot(key(10), now + 100); // hit after the others were created
        }

        try (TieredCache cache = TieredCache.open(config(3 * one + 100), stats)) {
            assertThat(cache.memory().size()).isEqualTo(3);
            assertThat(cache.getHot(key(10), now)).isNotNull();
            assertThat(cache.getHot(key(19), now)).isNotNull();
            assertThat(cache.getHot(key(18), now)).isNotNull();
            assertThat(cache.getHot(key(11), now)).as("no room: left in the file, not read on a miss").isNull();
            assertThat(cache.file().get(key(11), now).join()).isPresent();
        }
    }

    @Test
    void aResultOvertakenByAWriteIsStoredInNeitherTier() {
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            long sequence = cache.invalidationSequence();
            cache.invalidateTables(DB, 10);

            assertThat(cache.put(entry(cache, 1, 10), sequence)).isFalse();

            assertThat(cache.getHot(key(1), now)).isNull();
        }
        try (TieredCache restarted = TieredCache.open(config(64 << 20), stats)) {
            assertThat(restarted.getHot(key(1), now)).isNull();
            assertThat(restarted.file().get(key(1), now).join()).isEmpty();
        }
    }

    @Test
    void invalidationsReachTheFile() {
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            for (int i = 1; i <= 4; i++) {
                cache.put(entry(cache, i, 10 + i % 2), cache.invalidationSequence());
            }

            cache.invalidateTables(DB, 11);
            assertThat(cache.file().get(key(1), now).join()).isEmpty();
            assertThat(cache.file().get(key(2), now).join()).isPresent();

            cache.invalidateKeys(java.util.List.of(key(2)));
            assertThat(cache.file().get(key(2), now).join()).isEmpty();

            cache.invalidateDatabase(DB);
            assertThat(cache.file().get(key(4), now).join()).isEmpty();
            for (int i = 1; i <= 4; i++) {
                assertThat(cache.getHot(key(i), now)).isNull();
            }
            assertThat(cache.memory().size()).isZero();
        }
    }

    /** An entry not yet written back when its table is invalidated never reaches the file, even at close. */
    @Test
    void anInvalidatedEntryIsNeverWrittenBack() {
        try (TieredCache cache = TieredCache.open(config(64 << 20), stats)) {
            cache.put(entry(cache, 1, 11), cache.invalidationSequence());
            cache.put(entry(cache, 2, 12), cache.invalidationSequence());
            cache.getHot(key(1), now);
            cache.getHot(key(1), now);

            cache.invalidateTables(DB, 11);
        }
        try (TieredCache reopened = TieredCache.open(config(64 << 20), stats)) {
            assertThat(reopened.file().get(key(1), now).join()).isEmpty();
            assertThat(reopened.file().get(key(2), now).join()).isPresent();
        }
    }

    @Test
    void memoryOnlyWorksWithoutAFile() {
        try (TieredCache cache = TieredCache.memoryOnly(config(64 << 20), stats)) {
            cache.put(entry(cache, 1), cache.invalidationSequence());

            assertThat(cache.getHot(key(1), now)).isNotNull();
            assertThat(cache.file().isDegraded()).isTrue();
        }
    }
}

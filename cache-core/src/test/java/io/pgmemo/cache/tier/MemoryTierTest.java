package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MemoryTierTest {
    private static final long NOW = 1_000_000;
    private static final long LATER = NOW + 60_000;
    private static final int SIZE = 1000;

    private final CacheStats stats = new CacheStats();
    private final RecordingListener events = new RecordingListener();

    private MemoryTier tier(long maxBytes) {
        return new MemoryTier(maxBytes, 10_000, stats, events);
    }

    private static CachedResult fresh(int i, long... tables) {
        return entry(i, SIZE, NOW, LATER, tables);
    }

    @Test
    void returnsTheStoredObjectAndCountsTheHit() {
        MemoryTier tier = tier(1 << 20);
        CachedResult e = fresh(1, 10);

        assertThat(tier.put(e)).isTrue();
        CachedResult got = tier.get(key(1), NOW + 5);

        assertThat(got).isSameAs(e);
        assertThat(got.response()).isSameAs(e.response());
        assertThat(got.hits()).isEqualTo(1);
        assertThat(got.lastHit()).isEqualTo(NOW + 5);
        assertThat(tier.get(key(2), NOW)).isNull();
        assertThat(tier.bytes()).isEqualTo(e.memoryBytes());
        assertThat(events.log).containsExactly("stored select 1");
        assertThat(stats.snapshot().stores()).isEqualTo(1);
    }

    /** Room: short of the bound by more than a store leaves once full, expired entries not counted. */
    /**
     * Room stops counting for admission while the entries that leave the tier were nearly all never
     * read (reads that never repeat), and counts again once those that leave were read.
     */
    @Test
    void roomPaysOnlyWhileEntriesAreReadBeforeTheyLeave() {
        MemoryTier tier = tier(100L * SIZE * 2);
        int next = 0;
        for (int i = 0; i < MemoryTier.LEFT_PER_JUDGEMENT + 200; i++) {
            tier.put(entry(next++, SIZE, NOW, LATER));
        }
        assertThat(tier.roomPays()).as("thousands evicted unread").isFalse();
        for (int i = 0; i < MemoryTier.LEFT_PER_JUDGEMENT + 200; i++) {
            CachedResult entry = entry(next++, SIZE, NOW, LATER);
            tier.put(entry);
            assertThat(tier.get(entry.key(), NOW)).isSameAs(entry);
        }
        assertThat(tier.roomPays()).as("thousands evicted after a read").isTrue();
    }

    @Test
    void hasRoomUntilFullAndAgainOnceTheLeastRecentEntriesExpire() {
        long one = fresh(0).memoryBytes();
        MemoryTier tier = tier(10 * one);
        assertThat(tier.hasRoom()).as("empty").isTrue();
        for (int i = 0; i < 9; i++) {
            tier.put(entry(i, SIZE, NOW, LATER));
        }
        assertThat(tier.hasRoom()).as("nine of ten").isTrue();
        tier.put(entry(9, SIZE, NOW, LATER));
        assertThat(tier.hasRoom()).as("full").isFalse();

        // A store after the first nine expired drops some of them (a few per store), evicting nothing live.
        tier.put(entry(10, SIZE, LATER, LATER + 60_000));

        assertThat(tier.hasRoom()).isTrue();
        assertThat(stats.snapshot().evictions()).isZero();
        assertThat(tier.get(key(9), LATER - 1)).as("unexpired, kept").isNotNull();
        assertThat(tier.get(key(10), LATER)).isNotNull();
    }

    @Test
    void expiredEntriesAreNeverReturnedAndAreDropped() {
        MemoryTier tier = tier(1 << 20);
        tier.put(fresh(1));

        assertThat(tier.get(key(1), LATER)).isNull();
        assertThat(tier.size()).isZero();
        assertThat(tier.bytes()).isZero();
    }

    @Test
    void evictsTheLeastRecentlyUsedToStayWithinItsBytes() {
        long one = fresh(1).memoryBytes();
        MemoryTier tier = tier(3 * one);
        tier.put(fresh(1));
        tier.put(fresh(2));
        tier.put(fresh(3));
        tier.get(key(1), NOW);

        tier.put(fresh(4));

        assertThat(tier.get(key(2), NOW)).isNull();
        assertThat(List.of(1, 3, 4)).allSatisfy(i -> assertThat(tier.get(key(i), NOW)).isNotNull());
        assertThat(tier.bytes()).isEqualTo(3 * one);
        assertThat(stats.snapshot().evictions()).isEqualTo(1);
        assertThat(events.log).noneMatch(s -> s.contains("invalidated"));
    }

    @Test
    void refusesAnEntryAboveTheEntryBound() {
        MemoryTier tier = new MemoryTier(1 << 20, 500, stats, events);

        assertThat(tier.put(fresh(1))).isFalse();
        assertThat(tier.size()).isZero();
        assertThat(events.log).isEmpty();
    }

    @Test
    void replacingAKeyKeepsTheAccountingRight() {
        MemoryTier tier = tier(1 << 20);
        tier.put(fresh(1, 10));
        CachedResult replacement = entry(1, 2 * SIZE, NOW, LATER, 20);

        tier.put(replacement);
        tier.invalidateTables(TestEntries.DB, 10);

        assertThat(tier.get(key(1), NOW)).isSameAs(replacement);
        assertThat(tier.bytes()).isEqualTo(replacement.memoryBytes());
    }

    @Test
    void invalidateTableStalesOnlyTheEntriesOfThatTableInThatDatabase() {
        MemoryTier tier = tier(1 << 20);
        tier.put(fresh(1, 10));
        tier.put(fresh(2, 10, 11));
        tier.put(fresh(3, 11));
        tier.put(entry("other", 4, SIZE, NOW, LATER, 10));

        tier.invalidateTables(TestEntries.DB, 10);

        assertThat(tier.get(key(1), NOW)).isNull();
        assertThat(tier.get(key(2), NOW)).isNull();
        assertThat(tier.get(key(3), NOW)).isNotNull();
        assertThat(tier.get(key("other", 4), NOW)).isNotNull();
        assertThat(events.log).endsWith("table app.10 invalidated");
        assertThat(stats.snapshot().invalidations()).isEqualTo(1);

        tier.invalidateTables(TestEntries.DB, 11);
        assertThat(tier.size()).as("a stale entry is held until looked up or evicted").isEqualTo(2);
        assertThat(tier.get(key(3), NOW)).isNull();
        assertThat(tier.size()).isEqualTo(1);
        assertThat(tier.bytes()).isEqualTo(entry("other", 4, SIZE, NOW, LATER, 10).memoryBytes());
    }

    @Test
    void holdsOnlyEntriesItKeepsThatNoInvalidationMadeStale() {
        MemoryTier tier = tier(1 << 20);
        CachedResult ofTen = fresh(1, 10);
        CachedResult ofEleven = fresh(2, 11);
        tier.put(ofTen);
        tier.put(ofEleven);

        tier.invalidateTables(TestEntries.DB, 10);

        assertThat(tier.holds(ofTen)).isFalse();
        assertThat(tier.holds(ofEleven)).isTrue();
        tier.invalidateDatabase(TestEntries.DB);
        assertThat(tier.holds(ofEleven)).isFalse();
    }

    @Test
    void invalidateDatabaseAllAndKeys() {
        MemoryTier tier = tier(1 << 20);
        tier.put(fresh(1, 10));
        tier.put(fresh(2));
        tier.put(entry("other", 3, SIZE, NOW, LATER, 10));

        tier.invalidateKeys(List.of(key(2)));
        assertThat(tier.get(key(2), NOW)).isNull();
        assertThat(tier.size()).isEqualTo(2);

        tier.invalidateDatabase(TestEntries.DB);
        assertThat(tier.get(key(1), NOW)).isNull();
        assertThat(tier.get(key("other", 3), NOW)).isNotNull();

        tier.invalidateAll();
        assertThat(tier.size()).isZero();
        assertThat(tier.bytes()).isZero();
        assertThat(events.log).endsWith("keys [select 2]", "database app invalidated", "all invalidated");
    }

    @Test
    void aResultOvertakenByAnInvalidationOfItsTableIsNotStored() {
        MemoryTier tier = tier(1 << 20);
        long before = tier.invalidationSequence();
        tier.invalidateTables(TestEntries.DB, 10);

        assertThat(tier.put(fresh(1, 10), before)).as("its table was written meanwhile").isFalse();
        assertThat(tier.put(fresh(2, 11), before)).as("another table was written").isTrue();
        assertThat(tier.put(entry("other", 3, SIZE, NOW, LATER, 10), before)).as("same oid, other db").isTrue();
        assertThat(tier.put(fresh(4, 10), tier.invalidationSequence())).as("started after the write").isTrue();
        assertThat(tier.get(key(4), NOW)).as("stored after the invalidation: not stale").isNotNull();
        assertThat(tier.get(key(2), NOW)).isNotNull();

        long beforeAll = tier.invalidationSequence();
        tier.invalidateDatabase("other");
        assertThat(tier.put(entry("other", 5, SIZE, NOW, LATER), beforeAll)).isFalse();
        tier.invalidateAll();
        assertThat(tier.put(fresh(6, 11), beforeAll)).isFalse();
        assertThat(events.log).doesNotContain("stored select 1", "stored select 5", "stored select 6");
    }

    @Test
    void promoteDoesNotTellTheListener() {
        MemoryTier tier = tier(1 << 20);

        assertThat(tier.promote(fresh(1), tier.invalidationSequence())).isTrue();

        assertThat(tier.get(key(1), NOW)).isNotNull();
        assertThat(events.log).isEmpty();
    }

    @Test
    void staysConsistentUnderConcurrentUse() throws Exception {
        long size = fresh(10, 0, 5).memoryBytes(); // the same for every entry below
        MemoryTier tier = new MemoryTier(40 * size, 10_000, stats, MemoryTierListener.NONE);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Random random = new Random(t);
            done.add(pool.submit(() -> {
                for (int n = 0; n < 20_000; n++) {
                    int i = 10 + random.nextInt(90);
                    switch (random.nextInt(10)) {
                        case 0 -> tier.invalidateTables(TestEntries.DB, i % 5);
                        case 1, 2, 3 -> tier.put(fresh(i, i % 5, 5 + i % 3));
                        default -> tier.get(key(i), NOW);
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(tier.bytes()).isLessThanOrEqualTo(tier.maxBytes()).isEqualTo(tier.size() * size);
        for (long oid = 0; oid < 5; oid++) {
            tier.invalidateTables(TestEntries.DB, oid);
        }
        for (int i = 10; i < 100; i++) {
            assertThat(tier.get(key(i), NOW)).isNull();
        }
        assertThat(tier.size()).isZero();
        assertThat(tier.bytes()).isZero();
    }

    private static final class RecordingListener implements MemoryTierListener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void stored(CachedResult entry) {
            log.add("stored " + entry.sql());
        }

        @Override
        public void keysInvalidated(Collection<CacheKey> keys) {
            log.add("keys " + keys.stream().map(k -> k.equals(key(2)) ? "select 2" : k.toString()).toList());
        }

        @Override
        public void tableInvalidated(String database, long tableOid) {
            log.add("table " + database + "." + tableOid + " invalidated");
        }

        @Override
        public void databaseInvalidated(String database) {
            log.add("database " + database + " invalidated");
        }

        @Override
        public void allInvalidated() {
            log.add("all invalidated");
        }
    }
}

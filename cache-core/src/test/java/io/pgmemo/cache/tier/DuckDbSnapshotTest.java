package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.DB;
import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSnapshotTest {
    private static final int SIZE = 10_000;
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private final CacheStats stats = new CacheStats();
    private final long now = System.currentTimeMillis();
    private DuckDbSnapshot tier;

    private CacheConfig config(long maxFileBytes) {
        return CacheConfig.defaults().withFile(dir.resolve("cache.duckdb")).withMemoryBytes(64 << 20)
                .withMaxEntryBytes(1 << 20).withMaxFileBytes(maxFileBytes);
    }

    private DuckDbSnapshot open(long maxFileBytes) {
        tier = DuckDbSnapshot.open(config(maxFileBytes), stats);
        return tier;
    }

    @AfterEach
    void close() {
        if (tier != null) {
            tier.close();
        }
    }

    private CachedResult fresh(int i, long... tables) {
        return entry(i, SIZE, now + i, now + HOUR, tables);
    }

    private Optional<CachedResult> get(int i) {
        return tier.get(key(i), now).join();
    }

    @Test
    void entriesSurviveARestartAndExpiredOnesDoNot() throws Exception {
        open(64 << 20);
        for (int i = 0; i < 5; i++) {
            tier.put(fresh(i, 10));
        }
        tier.put(entry(5, SIZE, now, now + 300));
        CachedResult hit = fresh(6);
        tier.put(hit);
        hit.recordHit(now + 100);
        tier.touch(hit);
        tier.close();
        Thread.sleep(Math.max(0, now + 300 - System.currentTimeMillis()));

        open(64 << 20);
        long later = System.currentTimeMillis();
        List<CachedResult> loaded = tier.loadUnexpired(Long.MAX_VALUE, later).join();

        assertThat(loaded).extracting(TestEntries::indexOf).containsExactly(6, 4, 3, 2, 1, 0);
        assertThat(loaded.get(0).hits()).isEqualTo(1);
        for (CachedResult e : loaded) {
            assertThat(e.response()).isEqualTo(TestEntries.response(TestEntries.indexOf(e), SIZE));
            assertThat(e.key()).isEqualTo(key(TestEntries.indexOf(e)));
        }
        CachedResult one = tier.get(key(1), later).join().orElseThrow();
        assertThat(one.tableOids()).containsExactly(10);
        assertThat(one.database()).isEqualTo(DB);
        assertThat(one.role()).isEqualTo("alice");
        assertThat(one.rows()).isEqualTo(1);
        assertThat(one.expiresAt()).isEqualTo(now + HOUR);
        assertThat(tier.get(key(5), later).join()).isEmpty();
    }

    @Test
    void loadStopsAtTheByteLimit() {
        open(64 << 20);
        for (int i = 0; i < 10; i++) {
            tier.put(fresh(i));
        }

        List<CachedResult> loaded = tier.loadUnexpired(3 * fresh(0).sizeBytes(), now).join();

        assertThat(loaded).extracting(TestEntries::indexOf).containsExactly(9, 8, 7);
    }

    @Test
    void aTamperedResponseIsDeletedAndCountedNotServed() throws Exception {
        open(64 << 20);
        tier.put(fresh(1));
        tier.put(fresh(2));
        tier.close();
        byte[] torn = TestEntries.response(1, SIZE);
        torn[SIZE / 2] ^= 1;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("cache.duckdb"));
                PreparedStatement s = c.prepareStatement("UPDATE cache_entries SET response = ? WHERE sql = ?")) {
            s.setBytes(1, torn);
            s.setString(2, "select 1");
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        open(64 << 20);

        assertThat(get(1)).isEmpty();
        assertThat(stats.snapshot().checksumFailures()).isEqualTo(1);
        assertThat(tier.loadUnexpired(Long.MAX_VALUE, now).join()).extracting(TestEntries::indexOf).containsExactly(2);
        tier.close();
        assertThat(rowCount()).isEqualTo(1);
    }

    @Test
    void invalidationsAreSeenByTheNextRead() {
        open(64 << 20);
        tier.put(fresh(1, 10));
        tier.put(fresh(2, 10, 11));
        tier.put(fresh(3, 11));
        tier.put(entry("other", 4, SIZE, now, now + HOUR, 10));
        tier.put(fresh(5));
        tier.put(fresh(6));

        tier.invalidateTable(DB, 10);
        assertThat(get(1)).isEmpty();
        assertThat(get(2)).isEmpty();
        assertThat(get(3)).isPresent();
        assertThat(tier.get(key("other", 4), now).join()).isPresent();

        tier.deleteKeys(List.of(key(5)));
        assertThat(get(5)).isEmpty();
        assertThat(get(6)).isPresent();

        tier.invalidateDatabase(DB);
        assertThat(get(3)).isEmpty();
        assertThat(tier.get(key("other", 4), now).join()).isPresent();

        tier.invalidateAll();
        assertThat(tier.loadUnexpired(Long.MAX_VALUE, now).join()).isEmpty();
    }

    /** Hits of an entry not yet written back (no row to update) reach the file when it is written. */
    @Test
    void hitsOfAnUnwrittenEntryAreWrittenWithIt() throws Exception {
        open(64 << 20);
        CachedResult entry = fresh(7);
        tier.stored(entry);
        entry.recordHit(now + 1);
        tier.touch(entry);
        // The scheduled flush runs meanwhile: once hit, the entry is not written back yet.
        Thread.sleep(2 * DuckDbSnapshot.FLUSH_INTERVAL_MILLIS + 200);
        entry.recordHit(now + 2);
        tier.touch(entry);
        tier.flushNow().join();
        entry.recordHit(now + 3);
        tier.touch(entry);
        tier.close();

        open(64 << 20);
        List<CachedResult> loaded = tier.loadUnexpired(Long.MAX_VALUE, System.currentTimeMillis()).join();
        assertThat(loaded).extracting(TestEntries::indexOf).containsExactly(7);
        assertThat(loaded.get(0).hits()).isEqualTo(3);
    }

    /** Repeated invalidations of a table in one batch are one DELETE, with the same outcome as each. */
    @Test
    void repeatedTableInvalidationsKeepWhatWasPutAfterTheLast() {
        open(64 << 20);
        tier.put(fresh(10, 1));
        tier.invalidateTable(DB, 1);
        tier.put(fresh(11, 1));
        tier.put(fresh(12, 2));
        tier.invalidateTable(DB, 1);
        tier.put(fresh(13, 1));
        tier.invalidateTable(DB, 2);
        tier.flushNow().join();

        assertThat(get(10)).isEmpty();
        assertThat(get(11)).isEmpty();
        assertThat(get(12)).isEmpty();
        assertThat(get(13)).isPresent();
        assertThat(WriteOp.withoutRepeatedInvalidations(List.of(new WriteOp.InvalidateTable(DB, 1),
                new WriteOp.InvalidateTable(DB, 2), new WriteOp.InvalidateTable(DB, 1),
                new WriteOp.InvalidateDatabase("other"), new WriteOp.InvalidateDatabase("other"))))
                .containsExactly(new WriteOp.InvalidateTable(DB, 2), new WriteOp.InvalidateTable(DB, 1),
                        new WriteOp.InvalidateDatabase("other"));
    }

    /**
     * Invalidations of a table repeated before a flush take one place in the queue: entries the
     * memory tier stored meanwhile reach the file after it, and only if the memory tier still holds them.
     */
    @Test
    void invalidationsRepeatedBeforeAFlushDropWhatTheyShouldAndNoMore() {
        open(64 << 20);
        CachedResult before = fresh(20, 1);
        tier.put(before);
        tier.flushNow().join();
        CachedResult stale = fresh(21, 1);
        CachedResult after = fresh(22, 1);
        tier.stored(stale);
        for (int i = 0; i < 1000; i++) {
            tier.invalidateTable(DB, 1);
        }
        // One for the thousand; two if the scheduled flush took the first in the middle of the loop.
        assertThat(tier.queuedOps()).as("queued invalidations for the thousand").isBetween(0, 2);
        tier.stored(after);
        tier.flushNow().join();
        assertThat(get(20)).as("written before the invalidations").isEmpty();
        assertThat(get(22)).as("stored after them, and held").isPresent();
        tier.invalidateTable(DB, 1);
        tier.flushNow().join();
        assertThat(get(22)).as("invalidated again after the flush").isEmpty();
    }

    /** Hits of an entry the file never got (forgotten when too many waited) cost no UPDATE there. */
    @Test
    void hitsOfAnEntryNeverWrittenBackAreNotSentToTheFile() {
        open(64 << 20);
        CachedResult forgotten = fresh(10);
        tier.stored(forgotten);
        for (int i = 0; i < DuckDbSnapshot.MAX_UNWRITTEN; i++) {
            tier.stored(fresh(100_000 + i));
        }
        CachedResult written = fresh(11);
        tier.put(written);
        tier.flushNow().join();
        long before = tier.hitCountsWritten();

        forgotten.recordHit(now + 1);
        tier.touch(forgotten);
        written.recordHit(now + 1);
        tier.touch(written);
        tier.flushNow().join();

        assertThat(tier.hitCountsWritten() - before).isEqualTo(1);
    }

    @Test
    void keepsTheStoredBytesUnderTheBoundDroppingTheLeastRecentlyHit() {
        long one = fresh(10).sizeBytes(); // the same for every two-digit index
        open(10 * one);
        for (int i = 10; i < 20; i++) {
            tier.put(fresh(i));
        }
        CachedResult old = fresh(10);
        tier.put(old);
        old.recordHit(now + 1000);
        tier.touch(old);
        for (int i = 20; i < 40; i++) {
            tier.put(fresh(i));
        }
        tier.flushNow().join();

        List<CachedResult> kept = tier.loadUnexpired(Long.MAX_VALUE, now).join();

        assertThat(kept).extracting(TestEntries::indexOf).containsExactly(10, 39, 38, 37, 36, 35, 34, 33, 32, 31);
        assertThat(stats.snapshot().fileBytes()).isEqualTo(10 * one);
        assertThat(stats.snapshot().fileEntries()).isEqualTo(10);
        assertThat(stats.snapshot().fileEvictions()).isEqualTo(20);
    }

    @Test
    void aBloatedFileIsCompacted() throws Exception {
        open(64 << 20);
        for (int i = 0; i < 300; i++) {
            tier.put(entry(i, 100_000, now + i, now + HOUR));
        }
        tier.close();
        Path file = dir.resolve("cache.duckdb");
        assertThat(Files.size(file)).isGreaterThan(25 << 20);

        open(2 << 20);

        assertThat(Files.size(file)).isLessThan(5 << 20);
        List<CachedResult> kept = tier.loadUnexpired(Long.MAX_VALUE, now).join();
        assertThat(kept).hasSizeBetween(15, 20).first().extracting(TestEntries::indexOf).isEqualTo(299);
        assertThat(kept.get(0).response()).isEqualTo(TestEntries.response(299, 100_000));
        tier.put(fresh(1000));
        assertThat(get(1000)).isPresent();
        assertThat(stats.snapshot().fileDiskBytes()).isLessThan(5 << 20);
    }

    @Test
    void putsAfterCloseAreIgnoredAndReadsMiss() {
        open(64 << 20);
        tier.close();

        tier.put(fresh(1));
        tier.invalidateAll();

        assertThat(get(1)).isEmpty();
        assertThat(tier.loadUnexpired(Long.MAX_VALUE, now).join()).isEmpty();
    }

    @Test
    void aDisabledTierKeepsNothing() {
        tier = DuckDbSnapshot.disabled(stats);
        tier.put(fresh(1));

        assertThat(tier.isDegraded()).isTrue();
        assertThat(get(1)).isEmpty();
    }

    private long rowCount() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("cache.duckdb"));
                ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM cache_entries")) {
            r.next();
            return r.getLong(1);
        }
    }
}

package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts written many rows per statement still behave as if applied one by one, in order; invalidations
 * that skip tables without rows in the file still delete every row they must.
 */
class EntryTableTest {
    private static final long NOW = 1_000_000;
    private static final long LATER = NOW + 60_000;
    /** Rows per chunk of DuckDB's Appender (STANDARD_VECTOR_SIZE). */
    private static final int DUCKDB_VECTOR_SIZE = 2048;

    @TempDir
    Path dir;
    private EntryTable table;

    @BeforeEach
    void open() throws Exception {
        table = new EntryTable(DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("t.duckdb")));
    }

    @AfterEach
    void close() throws Exception {
        table.close();
    }

    @Test
    void morePutsThanOneAppenderChunkHoldsAreAllStored() throws Exception {
        int count = 2 * DUCKDB_VECTOR_SIZE + 17;
        List<WriteOp> puts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            puts.add(new WriteOp.Put(entry(i, 40, NOW, LATER)));
        }
        table.apply(puts, List.of());

        assertThat(table.usage()[1]).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            assertThat(table.find(key(i), NOW).response()).as("entry %d", i).isEqualTo(TestEntries.response(i, 40));
        }
    }

    @Test
    void theLastPutOfAKeyWinsAndReplacesItsRow() throws Exception {
        table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER))), List.of());
        table.apply(List.of(new WriteOp.Put(entry(1, 20, NOW, LATER)), new WriteOp.Put(entry(2, 10, NOW, LATER)),
                new WriteOp.Put(entry(1, 30, NOW, LATER))), List.of());

        assertThat(table.usage()[1]).isEqualTo(2);
        assertThat(table.find(key(1), NOW).response()).hasSize(30);
    }

    @Test
    void anInvalidationBetweenPutsDropsOnlyTheOnesBeforeIt() throws Exception {
        table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER, 7))), List.of());
        table.apply(List.of(new WriteOp.Put(entry(2, 10, NOW, LATER, 7)),
                new WriteOp.InvalidateTable(TestEntries.DB, 7),
                new WriteOp.Put(entry(3, 10, NOW, LATER, 7))), List.of());

        assertThat(table.find(key(1), NOW)).isNull();
        assertThat(table.find(key(2), NOW)).isNull();
        assertThat(table.find(key(3), NOW)).isNotNull();
    }

    /** Invalidations skip tables with no row in the file: rows written before a restart still count. */
    @Test
    void invalidationsAfterReopeningDropRowsWrittenBefore() throws Exception {
        table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER, 7)), new WriteOp.Put(entry(2, 10, NOW, LATER)),
                new WriteOp.Put(entry("other", 3, 10, NOW, LATER, 8))), List.of());
        reopen();

        table.apply(List.of(new WriteOp.InvalidateTable(TestEntries.DB, 7)), List.of());
        assertThat(table.find(key(1), NOW)).isNull();
        assertThat(table.find(key(2), NOW)).isNotNull();

        table.apply(List.of(new WriteOp.InvalidateDatabase(TestEntries.DB)), List.of());
        assertThat(table.find(key(2), NOW)).as("a row read from no table").isNull();

        table.apply(List.of(new WriteOp.InvalidateTable("other", 8)), List.of());
        assertThat(table.usage()[1]).isZero();
    }

    @Test
    void aTableInvalidatedBeforeIsDeletedAgainOnceItHasRowsAgain() throws Exception {
        table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER, 7)), new WriteOp.InvalidateTable(TestEntries.DB, 7)),
                List.of());
        table.apply(List.of(new WriteOp.Put(entry(2, 10, NOW, LATER, 7))), List.of());
        table.apply(List.of(new WriteOp.InvalidateTable(TestEntries.DB, 7)), List.of());
        assertThat(table.find(key(2), NOW)).isNull();

        table.apply(List.of(new WriteOp.Put(entry(3, 10, NOW, LATER, 7))), List.of());
        table.apply(List.of(new WriteOp.InvalidateAll(), new WriteOp.Put(entry(4, 10, NOW, LATER, 7))), List.of());
        table.apply(List.of(new WriteOp.InvalidateTable(TestEntries.DB, 7)), List.of());
        assertThat(table.usage()[1]).isZero();
    }

    /** A batch that fails is rolled back, its DELETEs too: their rows must be deleted by a later invalidation. */
    @Test
    void rowsOfAFailedBatchsInvalidationAreDeletedLater() throws Exception {
        table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER, 7))), List.of());
        WriteOp failing = new WriteOp.DeleteKeys(null);
        assertThatThrownBy(() -> table.apply(List.of(new WriteOp.InvalidateTable(TestEntries.DB, 7), failing),
                List.of())).isInstanceOf(NullPointerException.class);
        assertThat(table.find(key(1), NOW)).as("rolled back").isNotNull();

        table.apply(List.of(new WriteOp.InvalidateTable(TestEntries.DB, 7)), List.of());
        assertThat(table.find(key(1), NOW)).isNull();
    }

    /** The puts of a batch that fails are neither in the file nor written by the next batch. */
    @Test
    void putsOfAFailedBatchAreNotWrittenLater() throws Exception {
        WriteOp failing = new WriteOp.DeleteKeys(null);
        assertThatThrownBy(() -> table.apply(List.of(new WriteOp.Put(entry(1, 10, NOW, LATER)), failing), List.of()))
                .isInstanceOf(NullPointerException.class);
        assertThat(table.find(key(1), NOW)).as("rolled back").isNull();

        table.apply(List.of(new WriteOp.Put(entry(2, 10, NOW, LATER))), List.of());

        assertThat(table.find(key(1), NOW)).as("put of the failed batch").isNull();
        assertThat(table.usage()[1]).isEqualTo(1);
    }

    private void reopen() throws Exception {
        table.close();
        open();
    }

    @Test
    void hitCountsOfMoreEntriesThanOneAppenderChunkHoldsAreAllWritten() throws Exception {
        int count = DUCKDB_VECTOR_SIZE + 3;
        List<WriteOp> puts = new ArrayList<>();
        List<CachedResult> touched = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CachedResult entry = entry(i, 10, NOW, LATER);
            puts.add(new WriteOp.Put(entry));
            for (int hit = 0; hit <= i % 3; hit++) {
                entry.recordHit(NOW + i);
            }
            touched.add(entry);
        }
        table.apply(puts, List.of());
        table.apply(List.of(), touched);

        for (int i = 0; i < count; i++) {
            CachedResult found = table.find(key(i), NOW);
            assertThat(found.hits()).as("hits of %d", i).isEqualTo(i % 3 + 1);
            assertThat(found.lastHit()).as("last hit of %d", i).isEqualTo(NOW + i);
        }
    }
}

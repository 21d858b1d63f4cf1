package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Puts written many rows per statement still behave as if applied one by one, in order. */
class EntryTableTest {
    private static final long NOW = 1_000_000;
    private static final long LATER = NOW + 60_000;

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
    void morePutsThanOneStatementHoldsAreAllStored() throws Exception {
        int count = 2 * EntryTable.ROWS_PER_STATEMENT + 17;
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

    @Test
    void hitCountsOfMoreEntriesThanOneStatementHoldsAreAllWritten() throws Exception {
        int count = EntryTable.ROWS_PER_STATEMENT + 3;
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

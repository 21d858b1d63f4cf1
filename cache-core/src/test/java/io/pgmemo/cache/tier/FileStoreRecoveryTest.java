package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.DB;
import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A DuckDB call that fails at run time: the store reopens the file and keeps invalidations. */
class FileStoreRecoveryTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis();
    private FileStore store;

    @BeforeEach
    void open() throws Exception {
        store = FileStore.open(DuckDbFile.lock(dir.resolve("cache.duckdb")), 64 << 20, new CacheStats(), now);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aFailedBatchStillAppliesItsInvalidationsAfterReopening() throws Exception {
        store.apply(List.of(put(1, 10), put(2, 11)), List.of(), now);
        breakConnection();

        store.apply(List.of(put(3, 11), new WriteOp.InvalidateTable(DB, 10)), List.of(), now);

        assertThat(store.isDegraded()).isFalse();
        assertThat(store.find(key(1), now)).as("invalidated by the retry").isNull();
        assertThat(store.find(key(2), now)).isNotNull();
        assertThat(store.find(key(3), now)).as("a lost put is only a miss").isNull();
    }

    @Test
    void aFailedReadIsAMissAndTheNextReadWorks() throws Exception {
        store.apply(List.of(put(1, 10)), List.of(), now);
        breakConnection();

        assertThat(store.find(key(1), now)).isNull();
        assertThat(store.find(key(1), now)).isNotNull();
    }

    private WriteOp put(int i, long table) {
        return new WriteOp.Put(entry(i, 1000, now, now + HOUR, table));
    }

    /** Closes the store's connection behind its back, as a failing disk or driver would. */
    private void breakConnection() throws Exception {
        Field field = FileStore.class.getDeclaredField("table");
        field.setAccessible(true);
        ((EntryTable) field.get(store)).close();
    }
}

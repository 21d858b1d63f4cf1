package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of the persistent tier over one open DuckDB connection. Times are epoch milliseconds.
 * Not thread-safe: used only by the tier's executor thread.
 */
final class EntryTable implements AutoCloseable {
    static final int SCHEMA_VERSION = 1;
    static final String TABLE = "cache_entries";

    private static final String COLUMNS =
            "key, database, role, tables, rows, created, expires, last_hit, hits, checksum, response";
    private static final String ORDER_RECENT = "ORDER BY last_hit DESC, created DESC, rowid DESC";
    private static final String RUNNING_BYTES = "sum(bytes) OVER (" + ORDER_RECENT + " ROWS UNBOUNDED PRECEDING)";

    /**
     * Puts and hit counts are appended (DuckDB's Appender: no SQL to parse) to temporary tables, then
     * applied by statements prepared once: a statement per row costs DuckDB ~0.4 ms, and a multi-row
     * statement of a new length is parsed and planned anew.
     */
    private static final String STAGED_PUTS = "staged_puts";
    private static final String STAGED_HITS = "staged_hits";

    private final Connection connection;
    private final PreparedStatement replaceStaged;
    private final PreparedStatement insertStaged;
    private final PreparedStatement clearStagedPuts;
    private final PreparedStatement deleteKey;
    private final PreparedStatement find;
    private final PreparedStatement touchStaged;
    private final PreparedStatement clearStagedHits;
    private final PreparedStatement deleteOfTable;
    private final PreparedStatement deleteOfDatabase;
    private final TablesInFile tablesInFile = new TablesInFile();

    EntryTable(Connection connection) throws SQLException {
        this.connection = connection;
        createSchema();
        replaceStaged = connection.prepareStatement(
                "DELETE FROM " + TABLE + " WHERE digest IN (SELECT digest FROM " + STAGED_PUTS + ")");
        insertStaged = connection.prepareStatement("INSERT INTO " + TABLE + " SELECT * FROM " + STAGED_PUTS);
        clearStagedPuts = connection.prepareStatement("DELETE FROM " + STAGED_PUTS);
        deleteKey = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE digest = ? AND key = ?");
        find = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE digest = ? AND expires > ?");
        touchStaged = connection.prepareStatement("UPDATE " + TABLE + " SET hits = t.hits, last_hit = t.last_hit FROM "
                + STAGED_HITS + " t WHERE " + TABLE + ".digest = t.digest");
        clearStagedHits = connection.prepareStatement("DELETE FROM " + STAGED_HITS);
        deleteOfTable = connection.prepareStatement(
                "DELETE FROM " + TABLE + " WHERE database = ? AND list_contains(tables, ?)");
        deleteOfDatabase = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE database = ?");
        loadTablesInFile();
    }

    private void loadTablesInFile() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT database, list_distinct(flatten(list(tables))) FROM " + TABLE
                        + " GROUP BY database")) {
            while (r.next()) {
                tablesInFile.add(r.getString(1), oids(r, 2));
            }
        }
    }

    private void createSchema() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS cache_meta (schema_version INTEGER NOT NULL)");
            Integer version = null;
            try (ResultSet r = s.executeQuery("SELECT max(schema_version) FROM cache_meta")) {
                if (r.next()) {
                    version = (Integer) r.getObject(1);
                }
            }
            if (version == null || version != SCHEMA_VERSION) {
                // Only a cache: an unknown layout is dropped, not migrated.
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute("DELETE FROM cache_meta");
                s.execute("INSERT INTO cache_meta VALUES (" + SCHEMA_VERSION + ")");
            }
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (digest BLOB NOT NULL, key BLOB NOT NULL,"
                    + " database VARCHAR NOT NULL, role VARCHAR, sql VARCHAR NOT NULL, tables BIGINT[] NOT NULL,"
                    + " bytes BIGINT NOT NULL, rows BIGINT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL,"
                    + " last_hit BIGINT NOT NULL, hits BIGINT NOT NULL, checksum INTEGER NOT NULL,"
                    + " response BLOB NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS " + TABLE + "_digest ON " + TABLE + " (digest)");
            s.execute("CREATE TEMP TABLE " + STAGED_PUTS + " AS SELECT * FROM " + TABLE + " LIMIT 0");
            s.execute("CREATE TEMP TABLE " + STAGED_HITS + " (digest BLOB, hits BIGINT, last_hit BIGINT)");
        }
    }

    /** Applies the operations, then the hit statistics, in one transaction. */
    void apply(List<WriteOp> ops, Collection<CachedResult> touched) throws SQLException {
        if (touched.isEmpty() && ops.stream().noneMatch(this::changesFile)) {
            return; // even an empty transaction costs DuckDB a parse and plan of its COMMIT
        }
        connection.setAutoCommit(false);
        try {
            List<CachedResult> puts = new ArrayList<>();
            for (WriteOp op : ops) {
                if (op instanceof WriteOp.Put put) {
                    puts.add(put.entry());
                    continue;
                }
                putAll(puts);
                puts.clear();
                apply(op);
            }
            putAll(puts);
            touchAll(touched);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            // What the rolled-back DELETEs removed from tablesInFile is in the file again.
            tablesInFile.forget();
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** Whether the operation may change the file: invalidations of tables it holds no row of do not. */
    private boolean changesFile(WriteOp op) {
        if (op instanceof WriteOp.InvalidateTable table) {
            return tablesInFile.mayHold(table.database(), table.tableOid());
        } else if (op instanceof WriteOp.InvalidateDatabase database) {
            return tablesInFile.mayHold(database.database());
        } else if (op instanceof WriteOp.InvalidateAll) {
            return tablesInFile.mayHoldAny();
        }
        return true;
    }

    private void apply(WriteOp op) throws SQLException {
        if (op instanceof WriteOp.DeleteKeys delete) {
            for (CacheKey key : delete.keys()) {
                delete(key);
            }
        } else if (changesFile(op)) {
            invalidate(op);
        }
    }

    private void invalidate(WriteOp op) throws SQLException {
        if (op instanceof WriteOp.InvalidateTable table) {
            deleteOfTable.setString(1, table.database());
            deleteOfTable.setLong(2, table.tableOid());
            deleteOfTable.executeUpdate();
            tablesInFile.removeTable(table.database(), table.tableOid());
        } else if (op instanceof WriteOp.InvalidateDatabase database) {
            deleteOfDatabase.setString(1, database.database());
            deleteOfDatabase.executeUpdate();
            tablesInFile.removeDatabase(database.database());
        } else if (op instanceof WriteOp.InvalidateAll) {
            update("DELETE FROM " + TABLE);
            tablesInFile.clear();
        }
    }

    /**
     * Stores consecutive puts, each replacing its key's row. Of several puts of one key the last wins,
     * as if they were applied one by one. A row is found by its key's digest (see {@link #find}), so
     * replacing by digest replaces the key's row.
     */
    private void putAll(List<CachedResult> puts) throws SQLException {
        if (puts.isEmpty()) {
            return;
        }
        Map<CacheKey, CachedResult> lastOfKey = new LinkedHashMap<>();
        for (CachedResult entry : puts) {
            lastOfKey.remove(entry.key());
            lastOfKey.put(entry.key(), entry);
        }
        clearStagedPuts.executeUpdate();
        try (DuckDBAppender staged = appender(STAGED_PUTS)) {
            for (CachedResult row : lastOfKey.values()) {
                tablesInFile.add(row.database(), row.tableOidsShared());
                stage(staged, row);
            }
        }
        replaceStaged.executeUpdate();
        insertStaged.executeUpdate();
    }

    /** Writes the hit counts and last hits of entries. */
    private void touchAll(Collection<CachedResult> touched) throws SQLException {
        if (touched.isEmpty()) {
            return;
        }
        clearStagedHits.executeUpdate();
        try (DuckDBAppender staged = appender(STAGED_HITS)) {
            for (CachedResult e : touched) {
                staged.beginRow().append(e.key().digest()).append(e.hits()).append(e.lastHit()).endRow();
            }
        }
        touchStaged.executeUpdate();
    }

    /**
     * Appends to a staging table in the open transaction, which the statement before it (the staging
     * table's clearing) began: an appender that came first would commit its rows on its own.
     */
    private DuckDBAppender appender(String stagingTable) throws SQLException {
        return connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", stagingTable);
    }

    /** One row of {@link #TABLE}, its columns in their order. */
    private static void stage(DuckDBAppender staged, CachedResult e) throws SQLException {
        staged.beginRow()
                .append(e.key().digest())
                .append(e.key().encoded())
                .append(e.database())
                .append(e.role())
                .append(e.sql())
                .append(e.tableOidsShared())
                .append(e.sizeBytes())
                .append(e.rows())
                .append(e.createdAt())
                .append(e.expiresAt())
                .append(e.lastHit())
                .append(e.hits())
                .append(e.checksum())
                .append(e.response())
                .endRow();
    }

    void delete(CacheKey key) throws SQLException {
        bindKey(deleteKey, 1, key);
        deleteKey.executeUpdate();
    }

    /** The unexpired row of the key, checksum not yet verified, or null. */
    CachedResult find(CacheKey key, long nowMillis) throws SQLException {
        find.setBytes(1, key.digest());
        find.setLong(2, nowMillis);
        try (ResultSet r = find.executeQuery()) {
            byte[] encoded = key.encoded();
            while (r.next()) {
                if (Arrays.equals(r.getBytes(1), encoded)) {
                    return read(r, key);
                }
            }
        }
        return null;
    }

    /** Unexpired rows, most recently hit first, up to limitBytes in all; checksums not yet verified. */
    List<CachedResult> loadUnexpired(long limitBytes, long nowMillis) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM (SELECT *, " + RUNNING_BYTES + " AS running FROM " + TABLE
                + " WHERE expires > ?) WHERE running <= ? ORDER BY last_hit DESC, created DESC";
        List<CachedResult> entries = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setLong(1, nowMillis);
            s.setLong(2, limitBytes);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    CacheKey key = decodeKey(r.getBytes(1));
                    if (key != null) {
                        entries.add(read(r, key));
                    }
                }
            }
        }
        return entries;
    }

    int deleteExpired(long nowMillis) throws SQLException {
        return update("DELETE FROM " + TABLE + " WHERE expires <= ?", nowMillis);
    }

    /** Deletes the least recently hit rows until the stored bytes fit maxBytes; returns how many. */
    int evictToFit(long maxBytes) throws SQLException {
        return update("DELETE FROM " + TABLE + " WHERE rowid IN (SELECT rowid FROM (SELECT rowid, " + RUNNING_BYTES
                + " AS running FROM " + TABLE + ") WHERE running > ?)", maxBytes);
    }

    /** {stored entry bytes, row count}. */
    long[] usage() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT coalesce(sum(bytes), 0), count(*) FROM " + TABLE)) {
            r.next();
            return new long[] {r.getLong(1), r.getLong(2)};
        }
    }

    /** Copies the live rows into a new DuckDB file, which then holds no free blocks. */
    void copyTo(String freshFile) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("ATTACH '" + freshFile.replace("'", "''") + "' AS compacted");
            try {
                s.execute("CREATE TABLE compacted.cache_meta AS SELECT * FROM cache_meta");
                s.execute("CREATE TABLE compacted." + TABLE + " AS SELECT * FROM " + TABLE);
            } finally {
                s.execute("DETACH compacted");
            }
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        }
    }

    private static void bindKey(PreparedStatement s, int index, CacheKey key) throws SQLException {
        s.setBytes(index, key.digest());
        s.setBytes(index + 1, key.encoded());
    }

    private static CacheKey decodeKey(byte[] encoded) {
        try {
            return CacheKey.fromEncoded(encoded);
        } catch (IllegalArgumentException e) {
            return null; // a damaged key matches no lookup; the row ages out
        }
    }

    private static CachedResult read(ResultSet r, CacheKey key) throws SQLException {
        return CachedResult.restore(key, r.getString(2), r.getString(3), oids(r, 4), r.getBytes(11), r.getLong(5),
                r.getLong(6), r.getLong(7), r.getInt(10), r.getLong(9), r.getLong(8));
    }

    /** The BIGINT[] column as table oids. */
    private static long[] oids(ResultSet r, int column) throws SQLException {
        Object[] tables = (Object[]) r.getArray(column).getArray();
        long[] oids = new long[tables.length];
        for (int i = 0; i < oids.length; i++) {
            oids[i] = ((Number) tables[i]).longValue();
        }
        return oids;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}

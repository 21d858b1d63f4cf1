package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The SQL of the persistent tier over one open DuckDB connection. Times are epoch milliseconds.
 * Not thread-safe: used only by the tier's executor thread.
 */
final class EntryTable implements AutoCloseable {
    static final int SCHEMA_VERSION = 1;
    static final String TABLE = "cache_entries";

    private static final String COLUMNS =
            "key, database, role, sql, tables, rows, created, expires, last_hit, hits, checksum, response";
    private static final String ORDER_RECENT = "ORDER BY last_hit DESC, created DESC, rowid DESC";
    private static final String RUNNING_BYTES = "sum(bytes) OVER (" + ORDER_RECENT + " ROWS UNBOUNDED PRECEDING)";

    /** Puts written per statement: one statement per row costs DuckDB ~0.4 ms each, whatever its size. */
    static final int ROWS_PER_STATEMENT = 200;
    private static final String INSERT_COLUMNS = " (digest, key, database, role, sql, tables,"
            + " bytes, rows, created, expires, last_hit, hits, checksum, response) VALUES ";
    private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int INSERT_PARAMETERS = 14;

    private final Connection connection;
    private final PreparedStatement insertMany;
    private final PreparedStatement deleteMany;
    private final PreparedStatement deleteKey;
    private final PreparedStatement find;
    private final PreparedStatement touchMany;
    private final PreparedStatement deleteOfTable;
    private final PreparedStatement deleteOfDatabase;
    private final TablesInFile tablesInFile = new TablesInFile();

    EntryTable(Connection connection) throws SQLException {
        this.connection = connection;
        createSchema();
        insertMany = connection.prepareStatement(insertSql(ROWS_PER_STATEMENT));
        deleteMany = connection.prepareStatement(deleteDigestsSql(ROWS_PER_STATEMENT));
        deleteKey = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE digest = ? AND key = ?");
        find = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE digest = ? AND expires > ?");
        touchMany = connection.prepareStatement(touchSql(ROWS_PER_STATEMENT));
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
            touchAll(new ArrayList<>(touched));
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
     * Stores consecutive puts, each replacing its key's row, many rows per statement. Of several puts of
     * one key the last wins, as if they were applied one by one. A row is found by its key's digest
     * (see {@link #find}), so replacing by digest replaces the key's row.
     */
    private void putAll(List<CachedResult> puts) throws SQLException {
        Map<CacheKey, CachedResult> lastOfKey = new LinkedHashMap<>();
        for (CachedResult entry : puts) {
            lastOfKey.remove(entry.key());
            lastOfKey.put(entry.key(), entry);
        }
        List<CachedResult> rows = new ArrayList<>(lastOfKey.values());
        for (CachedResult row : rows) {
            tablesInFile.add(row.database(), row.tableOidsShared());
        }
        inChunks(rows, deleteMany, EntryTable::deleteDigestsSql, (s, row, e) -> s.setBytes(row + 1, e.key().digest()));
        inChunks(rows, insertMany, EntryTable::insertSql, this::bindInsert);
    }

    /** Writes the hit counts and last hits of entries, many per statement. */
    private void touchAll(List<CachedResult> touched) throws SQLException {
        inChunks(touched, touchMany, EntryTable::touchSql, (s, row, e) -> {
            s.setBytes(3 * row + 1, e.key().digest());
            s.setLong(3 * row + 2, e.hits());
            s.setLong(3 * row + 3, e.lastHit());
        });
    }

    private interface RowBinder {
        void bind(PreparedStatement statement, int row, CachedResult entry) throws SQLException;
    }

    /**
     * Runs one statement per {@link #ROWS_PER_STATEMENT} entries: {@code full}, prepared once, for a
     * whole chunk, one made by {@code sqlForRows} for the last, shorter one.
     */
    private void inChunks(List<CachedResult> entries, PreparedStatement full, IntFunction<String> sqlForRows,
                          RowBinder binder) throws SQLException {
        for (int from = 0; from < entries.size(); from += ROWS_PER_STATEMENT) {
            List<CachedResult> chunk = entries.subList(from, Math.min(entries.size(), from + ROWS_PER_STATEMENT));
            boolean whole = chunk.size() == ROWS_PER_STATEMENT;
            String sql = whole ? null : sqlForRows.apply(chunk.size());
            try (PreparedStatement shorter = whole ? null : connection.prepareStatement(sql)) {
                PreparedStatement statement = whole ? full : shorter;
                for (int row = 0; row < chunk.size(); row++) {
                    binder.bind(statement, row, chunk.get(row));
                }
                statement.executeUpdate();
            }
        }
    }

    private static String touchSql(int rows) {
        return "UPDATE " + TABLE + " SET hits = t.hits, last_hit = t.last_hit FROM (VALUES "
                + String.join(", ", Collections.nCopies(rows, "(?::BLOB, ?::BIGINT, ?::BIGINT)"))
                + ") AS t(digest, hits, last_hit) WHERE " + TABLE + ".digest = t.digest";
    }

    private static String insertSql(int rows) {
        return "INSERT INTO " + TABLE + INSERT_COLUMNS + String.join(", ", Collections.nCopies(rows, INSERT_ROW));
    }

    private static String deleteDigestsSql(int rows) {
        return "DELETE FROM " + TABLE + " WHERE digest IN (" + String.join(", ", Collections.nCopies(rows, "?")) + ")";
    }

    private void bindInsert(PreparedStatement insert, int row, CachedResult e) throws SQLException {
        int at = row * INSERT_PARAMETERS;
        Long[] tables = Arrays.stream(e.tableOidsShared()).boxed().toArray(Long[]::new);
        bindKey(insert, at + 1, e.key());
        insert.setString(at + 3, e.database());
        insert.setString(at + 4, e.role());
        insert.setString(at + 5, e.sql());
        insert.setArray(at + 6, connection.createArrayOf("BIGINT", tables));
        insert.setLong(at + 7, e.sizeBytes());
        insert.setLong(at + 8, e.rows());
        insert.setLong(at + 9, e.createdAt());
        insert.setLong(at + 10, e.expiresAt());
        insert.setLong(at + 11, e.lastHit());
        insert.setLong(at + 12, e.hits());
        insert.setInt(at + 13, e.checksum());
        insert.setBytes(at + 14, e.response());
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
        return CachedResult.restore(key, r.getString(2), r.getString(3),
                r.getString(4), oids(r, 5), r.getBytes(12), r.getLong(6), r.getLong(7), r.getLong(8), r.getInt(11),
                r.getLong(10), r.getLong(9));
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

package io.pgmemo.cache.tier;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The databases and tables that rows of the cache file may have been read from: a superset of the
 * file's contents (rows that expire or are evicted are not taken out). An invalidation of a table
 * with no row there runs no DELETE: a write-heavy workload invalidates the same few tables at every
 * write and commit, long after their rows are gone, and each DELETE is a parse, plan and scan in
 * DuckDB.
 */
final class TablesInFile {
    private final Map<String, Set<Long>> tablesByDatabase = new HashMap<>();
    /** After a failed transaction: what the file holds is not known until it is emptied. */
    private boolean unknown;

    void add(String database, long[] tableOids) {
        Set<Long> tables = tablesByDatabase.computeIfAbsent(database, d -> new HashSet<>());
        for (long oid : tableOids) {
            tables.add(oid);
        }
    }

    boolean mayHold(String database, long tableOid) {
        Set<Long> tables = tablesByDatabase.get(database);
        return unknown || (tables != null && tables.contains(tableOid));
    }

    boolean mayHold(String database) {
        return unknown || tablesByDatabase.containsKey(database);
    }

    boolean mayHoldAny() {
        return unknown || !tablesByDatabase.isEmpty();
    }

    /** The file may hold anything, until {@link #clear}. */
    void forget() {
        unknown = true;
    }

    /** Every row read from the table is gone. */
    void removeTable(String database, long tableOid) {
        Set<Long> tables = tablesByDatabase.get(database);
        if (tables != null) {
            tables.remove(tableOid);
        }
    }

    void removeDatabase(String database) {
        tablesByDatabase.remove(database);
    }

    /** The file holds no row. */
    void clear() {
        tablesByDatabase.clear();
        unknown = false;
    }
}

package io.pgmemo.cache.tier;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers when each table and database was last invalidated, as a sequence number, so that a
 * result whose query started before an invalidation of one of its tables is not stored (its rows
 * may predate the write), and a stored one is stale once one of its tables is invalidated. Not
 * thread-safe; guarded by the memory tier's lock.
 */
final class InvalidationLog {
    /** Past this many remembered names, history is dropped: every older start is refused, every stored entry stale. */
    private static final int MAX_TRACKED = 100_000;

    private long sequence;
    private long floor;
    private final Map<TableRef, Long> tables = new HashMap<>();
    private final Map<String, Long> databases = new HashMap<>();

    long current() {
        return sequence;
    }

    void table(TableRef table) {
        tables.put(table, ++sequence);
        trim();
    }

    void database(String database) {
        databases.put(database, ++sequence);
        trim();
    }

    void all() {
        floor = ++sequence;
        tables.clear();
        databases.clear();
    }

    boolean invalidatedSince(long start, String database, long[] tableOids) {
        if (start < floor || start > sequence) {
            return true;
        }
        if (start == sequence) {
            return false;
        }
        if (databases.getOrDefault(database, 0L) > start) {
            return true;
        }
        for (long oid : tableOids) {
            if (tables.getOrDefault(new TableRef(database, oid), 0L) > start) {
                return true;
            }
        }
        return false;
    }

    private void trim() {
        if (tables.size() + databases.size() > MAX_TRACKED) {
            floor = sequence;
            tables.clear();
            databases.clear();
        }
    }
}

package io.pgmemo.cache.tier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each table and database was last invalidated, as a sequence number, so that a
 * result whose query started before an invalidation of one of its tables is not stored (its rows
 * may predate the write), and a stored one is stale once one of its tables is invalidated.
 *
 * <p>One writer at a time (the memory tier's lock); {@link #current()} and
 * {@link #invalidatedSince} may be called without it: a reader concurrent with an invalidation sees
 * it or not, as if it had run before or after it, and sees every invalidation that returned before
 * it started.
 */
final class InvalidationLog {
    /** Past this many remembered names, history is dropped: every older start is refused, every stored entry stale. */
    private static final int MAX_TRACKED = 100_000;

    private volatile long sequence;
    private volatile long floor;
    private final Map<TableRef, Long> tables = new ConcurrentHashMap<>();
    private final Map<String, Long> databases = new ConcurrentHashMap<>();

    long current() {
        return sequence;
    }

    void table(TableRef table) {
        long next = sequence + 1;
        tables.put(table, next);
        sequence = next;
        trim();
    }

    void database(String database) {
        long next = sequence + 1;
        databases.put(database, next);
        sequence = next;
        trim();
    }

    void all() {
        // The floor first: a reader that finds the names cleared finds the floor raised.
        long next = sequence + 1;
        floor = next;
        sequence = next;
        tables.clear();
        databases.clear();
    }

    boolean invalidatedSince(long start, String database, long[] tableOids) {
        long floorNow = floor;
        long sequenceNow = sequence;
        if (start < floorNow || start > sequenceNow) {
            return true;
        }
        if (start == sequenceNow) {
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

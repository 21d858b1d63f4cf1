package io.pgmemo.cache.catalog;

import java.util.Set;

/**
 * What a statement that ran may have changed.
 *
 * @param relationOids  relations written: the targets, their partitions and inheritance children, base
 *                      tables of updatable views, tables reached by ON DELETE/UPDATE CASCADE, SET NULL
 *                      or SET DEFAULT foreign keys
 * @param wholeDatabase the changes cannot be bounded (triggers, rules, volatile functions, DDL, unknown
 *                      targets, failed look-ups): invalidate every entry of the database
 * @param reason        why the whole database, for logs; null otherwise
 */
public record WriteScope(Set<Long> relationOids, boolean wholeDatabase, String reason) {

    public WriteScope {
        relationOids = Set.copyOf(relationOids);
    }

    static WriteScope of(Set<Long> relationOids) {
        return new WriteScope(relationOids, false, null);
    }

    static WriteScope wholeDatabase(String reason) {
        return new WriteScope(Set.of(), true, reason);
    }

    /** Nothing written. */
    public boolean isEmpty() {
        return !wholeDatabase && relationOids.isEmpty();
    }
}

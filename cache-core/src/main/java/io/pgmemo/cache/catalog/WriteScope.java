package io.pgmemo.cache.catalog;

import java.util.Set;

/**
 * What a statement that ran may have changed.
 *
 * @param relationOids relations written: the targets, their partitions and inheritance children, base
 *                     tables of updatable views, tables reached by ON DELETE/UPDATE CASCADE, SET NULL or
 *                     SET DEFAULT foreign keys
 * @param extent       how far the changes reach
 * @param reason       why further than the tables, for logs; null otherwise
 */
public record WriteScope(Set<Long> relationOids, Extent extent, String reason) {

    /** How far a statement's changes may reach. */
    public enum Extent {
        /** Only {@link #relationOids()}. */
        TABLES,
        /** Any data of the database (an unknown target, a failed look-up). */
        DATABASE,
        /**
         * Anything: code the proxy cannot see ran (a function that may write, a trigger, a rule, DDL), and
         * it may also have changed privileges, roles, policies or definitions.
         */
        ANYTHING
    }

    public WriteScope {
        relationOids = Set.copyOf(relationOids);
    }

    static WriteScope of(Set<Long> relationOids) {
        return new WriteScope(relationOids, Extent.TABLES, null);
    }

    static WriteScope wholeDatabase(String reason) {
        return new WriteScope(Set.of(), Extent.DATABASE, reason);
    }

    static WriteScope anything(String reason) {
        return new WriteScope(Set.of(), Extent.ANYTHING, reason);
    }

    /** The changes are not bounded by {@link #relationOids()}. */
    public boolean wholeDatabase() {
        return extent != Extent.TABLES;
    }

    /** Nothing written. */
    public boolean isEmpty() {
        return extent == Extent.TABLES && relationOids.isEmpty();
    }
}

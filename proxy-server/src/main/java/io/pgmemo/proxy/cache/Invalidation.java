package io.pgmemo.proxy.cache;

import io.pgmemo.cache.catalog.WriteScope;
import java.util.HashSet;
import java.util.Set;

/**
 * How much a statement (or a transaction's statements so far) may have changed.
 *
 * @param tables the relations written, for {@link Extent#TABLES}; empty otherwise
 */
record Invalidation(Extent extent, Set<Long> tables) {

    /** From nothing to anything; a larger extent includes every smaller one. */
    enum Extent {
        NONE,
        /** The data of these relations of the session's database. */
        TABLES,
        /** Any data of the session's database. */
        DATABASE,
        /** Privileges, roles, policies or definitions: anything anywhere. */
        ALL
    }

    static final Invalidation NONE = new Invalidation(Extent.NONE, Set.of());
    static final Invalidation DATABASE = new Invalidation(Extent.DATABASE, Set.of());
    static final Invalidation ALL = new Invalidation(Extent.ALL, Set.of());

    /** A transaction that wrote more relations than this drops its whole database at commit. */
    private static final int MAX_TABLES = 1024;

    Invalidation {
        tables = Set.copyOf(tables);
    }

    static Invalidation tables(Set<Long> oids) {
        return oids.isEmpty() ? NONE : new Invalidation(Extent.TABLES, oids);
    }

    static Invalidation of(WriteScope scope) {
        return switch (scope.extent()) {
            case TABLES -> tables(scope.relationOids());
            case DATABASE -> DATABASE;
            case ANYTHING -> ALL;
        };
    }

    /** What this and {@code other} together may have changed. */
    Invalidation and(Invalidation other) {
        if (extent == Extent.TABLES && other.extent == Extent.TABLES) {
            Set<Long> both = new HashSet<>(tables);
            both.addAll(other.tables);
            return both.size() > MAX_TABLES ? DATABASE : tables(both);
        }
        return other.extent.ordinal() > extent.ordinal() ? other : this;
    }

    boolean isNone() {
        return extent == Extent.NONE;
    }
}

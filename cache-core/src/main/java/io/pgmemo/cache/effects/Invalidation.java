package io.pgmemo.cache.effects;

import io.pgmemo.cache.catalog.WriteScope;
import java.util.HashSet;
import java.util.Set;

/**
 * How much a statement (or a transaction's statements so far) may have changed.
 *
 * @param tables  the relations written, for {@link Extent#TABLES}; empty otherwise
 * @param answers the catalog's answers may have changed although no data did (a temporary table was
 *                created or dropped: which names may resolve to one); {@link Extent#ALL} includes it
 */
public record Invalidation(Extent extent, Set<Long> tables, boolean answers) {

    /** From nothing to anything; a larger extent includes every smaller one. */
    public enum Extent {
        NONE,
        /** The data of these relations of the session's database. */
        TABLES,
        /** Any data of the session's database. */
        DATABASE,
        /**
         * Any data of any database, the catalog's answers kept: a statement may have set off code the
         * catalog was not asked about (their effect on the catalog is bounded by the answers' max age).
         */
        ALL_DATA,
        /** Privileges, roles, policies or definitions: anything anywhere. */
        ALL
    }

    public static final Invalidation NONE = new Invalidation(Extent.NONE, Set.of());
    public static final Invalidation DATABASE = new Invalidation(Extent.DATABASE, Set.of());
    public static final Invalidation ALL_DATA = new Invalidation(Extent.ALL_DATA, Set.of());
    public static final Invalidation ALL = new Invalidation(Extent.ALL, Set.of());
    public static final Invalidation ANSWERS = new Invalidation(Extent.NONE, Set.of(), true);

    /** A transaction that wrote more relations than this drops its whole database at commit. */
    private static final int MAX_TABLES = 1024;

    public Invalidation {
        tables = Set.copyOf(tables);
    }

    public Invalidation(Extent extent, Set<Long> tables) {
        this(extent, tables, false);
    }

    public static Invalidation tables(Set<Long> oids) {
        return oids.isEmpty() ? NONE : new Invalidation(Extent.TABLES, oids);
    }

    public static Invalidation of(WriteScope scope) {
        return switch (scope.extent()) {
            case TABLES -> tables(scope.relationOids());
            case DATABASE -> DATABASE;
            case ANYTHING -> ALL;
        };
    }

    /** What this and {@code other} together may have changed. */
    public Invalidation and(Invalidation other) {
        if (other == this || other.isNone()) {
            return this;
        }
        if (isNone()) {
            return other;
        }
        Invalidation data;
        if (extent == Extent.TABLES && other.extent == Extent.TABLES) {
            // A transaction writes the same few tables again and again: most of the time one holds the other.
            data = tables.containsAll(other.tables) ? this : other.tables.containsAll(tables) ? other : union(other);
        } else {
            data = other.extent.ordinal() > extent.ordinal() ? other : this;
        }
        boolean eitherAnswers = answers || other.answers;
        return data.answers == eitherAnswers ? data : new Invalidation(data.extent, data.tables, eitherAnswers);
    }

    private Invalidation union(Invalidation other) {
        Set<Long> both = new HashSet<>(tables);
        both.addAll(other.tables);
        // Set.of takes the elements as they are; Set.copyOf would copy a HashSet twice.
        return both.size() > MAX_TABLES ? DATABASE : tables(Set.of(both.toArray(new Long[0])));
    }

    public boolean isNone() {
        return extent == Extent.NONE && !answers;
    }
}

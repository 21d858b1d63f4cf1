package io.pgmemo.cache.effects;

import io.pgmemo.cache.catalog.WriteScope;
import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How much a statement (or a transaction's statements so far) may have changed: an extent, the
 * relations written for {@link Extent#TABLES}, and whether the catalog's answers may have changed
 * although no data did (a temporary table was created or dropped: which names may resolve to one;
 * {@link Extent#ALL} includes it).
 *
 * <p>The relations are a sorted array of oids: a transaction block adds its statements' tables one
 * by one ({@link #and}), and a merge of two short sorted arrays costs no set.
 */
public final class Invalidation {

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

    private static final long[] NO_TABLES = new long[0];

    public static final Invalidation NONE = new Invalidation(Extent.NONE, NO_TABLES, false);
    public static final Invalidation DATABASE = new Invalidation(Extent.DATABASE, NO_TABLES, false);
    public static final Invalidation ALL_DATA = new Invalidation(Extent.ALL_DATA, NO_TABLES, false);
    public static final Invalidation ALL = new Invalidation(Extent.ALL, NO_TABLES, false);
    public static final Invalidation ANSWERS = new Invalidation(Extent.NONE, NO_TABLES, true);

    /** A transaction that wrote more relations than this drops its whole database at commit. */
    private static final int MAX_TABLES = 1024;

    private final Extent extent;
    /** Sorted, distinct; empty unless the extent is TABLES. */
    private final long[] tables;
    private final boolean answers;

    private Invalidation(Extent extent, long[] tables, boolean answers) {
        this.extent = extent;
        this.tables = tables;
        this.answers = answers;
    }

    public static Invalidation tables(Collection<Long> oids) {
        if (oids.isEmpty()) {
            return NONE;
        }
        long[] sorted = oids.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        return new Invalidation(Extent.TABLES, sorted, false);
    }

    public static Invalidation of(WriteScope scope) {
        return switch (scope.extent()) {
            case TABLES -> tables(scope.relationOids());
            case DATABASE -> DATABASE;
            case ANYTHING -> ALL;
        };
    }

    public Extent extent() {
        return extent;
    }

    /** The relations written, for {@link Extent#TABLES}; empty otherwise. */
    public Set<Long> tables() {
        return Arrays.stream(tables).boxed().collect(Collectors.toUnmodifiableSet());
    }

    /** The relations written, for {@link Extent#TABLES}, in ascending order; empty otherwise. */
    public long[] tableOids() {
        return tables.clone();
    }

    public boolean answers() {
        return answers;
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
            data = union(other);
        } else {
            data = other.extent.ordinal() > extent.ordinal() ? other : this;
        }
        boolean eitherAnswers = answers || other.answers;
        return data.answers == eitherAnswers ? data : new Invalidation(data.extent, data.tables, eitherAnswers);
    }

    /** Both sets of tables; one of the two when it holds the other, as a transaction's writes mostly do. */
    private Invalidation union(Invalidation other) {
        long[] merged = new long[tables.length + other.tables.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < tables.length || j < other.tables.length) {
            long next;
            if (j == other.tables.length || (i < tables.length && tables[i] < other.tables[j])) {
                next = tables[i++];
            } else if (i == tables.length || other.tables[j] < tables[i]) {
                next = other.tables[j++];
            } else {
                next = tables[i++];
                j++;
            }
            merged[n++] = next;
        }
        if (n == tables.length) {
            return this;
        }
        if (n == other.tables.length) {
            return other;
        }
        return n > MAX_TABLES ? DATABASE : new Invalidation(Extent.TABLES, Arrays.copyOf(merged, n), false);
    }

    public boolean isNone() {
        return extent == Extent.NONE && !answers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Invalidation other && extent == other.extent && answers == other.answers
                && Arrays.equals(tables, other.tables);
    }

    @Override
    public int hashCode() {
        return (extent.hashCode() * 31 + Arrays.hashCode(tables)) * 31 + Boolean.hashCode(answers);
    }

    @Override
    public String toString() {
        return "Invalidation[" + extent + (tables.length > 0 ? " " + Arrays.toString(tables) : "")
                + (answers ? ", answers" : "") + "]";
    }
}

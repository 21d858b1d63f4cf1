package io.pgmemo.cache.catalog;

import java.util.List;

/**
 * A pg_proc row as the cache needs it.
 *
 * @param provolatile      i immutable, s stable, v volatile
 * @param prokind          f function, a aggregate, w window, p procedure
 * @param takesOneRow      one argument of a composite or pseudo type: callable in attribute notation
 * @param supportFunctions for aggregates, the transition, final, combine, serial and moving-aggregate
 *                         functions (an aggregate's own provolatile is always i)
 */
record Routine(long oid, String schema, String name, char provolatile, boolean securityDefiner, char prokind,
               int pronargs, boolean takesOneRow, List<Long> supportFunctions) {

    /** Kept for an OID that names no function (any more), so that it is not looked up again. */
    static final Routine GONE = new Routine(0, "", "", '-', false, '-', 0, false, List.of());

    boolean inPgCatalog() {
        return schema.equals("pg_catalog");
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}

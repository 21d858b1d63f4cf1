package io.pgmemo.cache.catalog;

/**
 * A pg_class row as the cache needs it.
 *
 * @param relkind        r table, p partitioned table, v view, m materialized view, f foreign table,
 *                       S sequence, i/I index, c composite type, t TOAST table
 * @param relpersistence p permanent, u unlogged, t temporary
 */
record Relation(long oid, String schema, String name, char relkind, char relpersistence, boolean rowSecurity) {

    /** Kept for an OID that names no relation (any more), so that it is not looked up again. */
    static final Relation GONE = new Relation(0, "", "", '-', '-', false);

    boolean isTemporarySchema() {
        return schema.startsWith("pg_temp_") || schema.startsWith("pg_toast_temp_");
    }

    boolean isSystemSchema() {
        return schema.equals("pg_catalog") || schema.equals("information_schema") || schema.startsWith("pg_toast");
    }

    /** Tables, views and materialized views hold or produce rows; indexes and types do not. */
    boolean isDataSource() {
        return "rpvmfS".indexOf(relkind) >= 0;
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}

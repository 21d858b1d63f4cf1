package io.pgmemo.cache.tier;

/** A relation in one database: the unit of invalidation. */
record TableRef(String database, long oid) {
}

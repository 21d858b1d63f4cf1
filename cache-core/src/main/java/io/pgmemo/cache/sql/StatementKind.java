package io.pgmemo.cache.sql;

/** What a statement does, as far as a result cache is concerned. */
public enum StatementKind {
    /** SELECT, VALUES, TABLE or WITH ... SELECT without data-modifying CTE, SELECT INTO or locking clause. */
    READ,
    /** INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY ... FROM, a data-modifying CTE, SELECT INTO. */
    WRITE,
    /** COPY ... TO (a table or a read-only query): reads, but its output is never cached. */
    COPY_TO,
    /** CREATE, ALTER, DROP, COMMENT, REINDEX, CLUSTER, VACUUM, ANALYZE, REFRESH MATERIALIZED VIEW, ... */
    DDL,
    /**
     * DDL of the session's own temporary tables only (CREATE TEMP TABLE without a query, DROP TABLE
     * pg_temp.name): no data another session reads changes, but which names may resolve to a temporary
     * relation does.
     */
    TEMPORARY_DDL,
    /** GRANT, REVOKE, roles, default privileges, policies, row level security, ownership: who sees what. */
    PRIVILEGE,
    /** SET, RESET, DISCARD, LOAD, PREPARE, EXECUTE, DEALLOCATE, LISTEN, UNLISTEN, NOTIFY. */
    SESSION,
    /** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, two-phase commands. */
    TRANSACTION,
    /** CALL or DO: may run any statement. */
    CALL_OR_DO,
    /** EXPLAIN without ANALYZE, or EXPLAIN ANALYZE of a read (EXPLAIN ANALYZE of anything else takes its kind). */
    EXPLAIN,
    /** Known and harmless to the cache but never cached: SHOW, LOCK, CHECKPOINT, cursors, SELECT ... FOR UPDATE, empty. */
    OTHER,
    /** Not understood (or not lexable, or several statements): forward, and assume it may change anything. */
    UNKNOWN
}

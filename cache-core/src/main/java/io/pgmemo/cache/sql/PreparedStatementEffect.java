package io.pgmemo.cache.sql;

/**
 * What a SQL-level statement does to the session's prepared statements, which a proxy that answers
 * Parse from its cache must track by name (PREPARE and the protocol's Parse share one namespace).
 */
public enum PreparedStatementEffect {
    /** EXECUTE: runs a statement PREPAREd earlier, which may be a write. */
    RUNS,
    /** PREPARE: creates a prepared statement by name. */
    NAMES,
    /** DEALLOCATE or DISCARD: drops prepared statements. */
    DROPS
}

package io.pgmemo.cache.catalog;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One catalog query the kept answers lacked, to be run by whoever holds a connection to the
 * database: in pgmemo, the client's own session while it is idle, so the look-up needs no login of
 * its own and sees what that role may see. {@link #sql()} is a simple-protocol Query string; its
 * replies are rows of text values, handed to {@link #complete}. The answers it brings are kept for
 * every session of the database (none of them depends on the session: per-role answers are keyed by
 * role).
 */
public final class CatalogLookUp {

    /**
     * Run before the look-up, in the same string: the statements then form one implicit transaction
     * block, so these settings end with it, and the session's search_path cannot change what the
     * catalog SQL's names mean.
     */
    static final String PREAMBLE = "SET LOCAL search_path = pg_catalog; SET LOCAL statement_timeout = '10s'; ";

    /**
     * Inside the client's transaction block the look-up runs in a savepoint rolled back at once: the
     * settings end with it, and so does an error (then {@link #RECOVER_IN_TRANSACTION} must follow,
     * since the rest of the string is skipped), leaving the client's transaction as it was.
     */
    private static final String SAVEPOINT = "pgmemo_catalog";

    /** Sent after a look-up that failed inside a transaction block: the transaction is usable again. */
    public static final String RECOVER_IN_TRANSACTION = "ROLLBACK TO SAVEPOINT " + SAVEPOINT
            + "; RELEASE SAVEPOINT " + SAVEPOINT;

    private final String what;
    private final String sql;
    private final Consumer<List<String[]>> onRows;

    CatalogLookUp(String what, String select, Consumer<List<String[]>> onRows) {
        this.what = Objects.requireNonNull(what, "what");
        this.sql = PREAMBLE + select;
        this.onRows = Objects.requireNonNull(onRows, "onRows");
    }

    /** The whole Query string, outside a transaction block: settings for the look-up, then one SELECT. */
    public String sql() {
        return sql;
    }

    /**
     * The whole Query string inside the client's transaction block (not a failed one). A second SELECT
     * returns the transaction's isolation level: only under read committed does the look-up see the
     * catalog as it is now (under repeatable read its snapshot may be old), so only then may its rows
     * be kept for every session.
     */
    public String sqlInTransaction() {
        return "SAVEPOINT " + SAVEPOINT + "; " + sql + "; " + ISOLATION + "; " + RECOVER_IN_TRANSACTION;
    }

    private static final String ISOLATION = "SELECT pg_catalog.current_setting('transaction_isolation')";

    /** The isolation level under which a look-up in a transaction block sees the current catalog. */
    public static final String READ_COMMITTED = "read committed";

    /** What is looked up, for logs (names of relations and functions, never values). */
    public String what() {
        return what;
    }

    /**
     * Keeps the answers: the SELECT's rows, each value as text (null for NULL), in column order.
     *
     * @throws IllegalArgumentException when the rows do not have the expected shape
     */
    public void complete(List<String[]> rows) {
        onRows.accept(rows);
    }

    @Override
    public String toString() {
        return "CatalogLookUp[" + what + "]";
    }
}

package io.pgmemo.cache.effects;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.FunctionCall;
import io.pgmemo.cache.sql.PreparedStatementEffect;
import io.pgmemo.cache.sql.StatementKind;
import java.util.List;
import java.util.Set;

/**
 * What running a statement may change, judged from its text alone: cached data (invalidate), and
 * the session's own state (so the proxy must learn its fingerprint again before serving it).
 */
public final class StatementEffects {
    /**
     * Built-in functions that neither write nor change session state. Any other function might (a
     * VOLATILE or mislabelled user function can write tables, GRANT, or call set_config).
     */
    private static final Set<String> HARMLESS_FUNCTIONS = Set.of(
            "count", "sum", "avg", "min", "max", "coalesce", "nullif", "greatest", "least", "lower", "upper",
            "length", "char_length", "abs", "round", "floor", "ceil", "ceiling", "trunc", "mod", "power", "sqrt",
            "concat", "concat_ws", "substr", "substring", "trim", "btrim", "ltrim", "rtrim", "replace", "left",
            "right", "position", "strpos", "split_part", "string_agg", "array_agg", "json_agg", "jsonb_agg",
            "json_build_object", "jsonb_build_object", "to_char", "to_date", "to_number", "to_timestamp",
            "date_trunc", "date_part", "extract", "age", "generate_series", "unnest", "row_number", "rank",
            "dense_rank", "lag", "lead", "first_value", "last_value", "format", "md5", "repeat", "array_length",
            "cardinality", "bool_and", "bool_or", "every", "stddev", "variance", "percentile_cont",
            "percentile_disc", "cast", "now", "random", "clock_timestamp", "statement_timestamp",
            "transaction_timestamp", "timeofday", "pg_backend_pid", "version", "current_setting",
            "plainto_tsquery", "to_tsquery", "to_tsvector", "ts_rank");

    private StatementEffects() {
    }

    public static Invalidation invalidation(List<Classification> statements) {
        Invalidation worst = Invalidation.NONE;
        for (Classification statement : statements) {
            worst = worst.and(invalidation(statement));
        }
        return worst;
    }

    public static Invalidation invalidation(Classification statement) {
        if (statement.changesCatalog()) {
            return Invalidation.ALL;
        }
        Invalidation byKind = switch (statement.kind()) {
            case READ, EXPLAIN, COPY_TO, OTHER -> onlyHarmlessFunctions(statement)
                    ? Invalidation.NONE : Invalidation.ALL;
            case WRITE -> onlyHarmlessFunctions(statement) ? Invalidation.DATABASE : Invalidation.ALL;
            // EXECUTE runs a statement PREPAREd earlier, which may be a write.
            case SESSION -> statement.preparedStatements().contains(PreparedStatementEffect.RUNS)
                    ? Invalidation.ALL : Invalidation.NONE;
            case TRANSACTION -> Invalidation.NONE;
            // Cached results never come from temporary relations; verdicts look at their names.
            case TEMPORARY_DDL -> Invalidation.ANSWERS;
            case DDL, PRIVILEGE, CALL_OR_DO, UNKNOWN -> Invalidation.ALL;
        };
        // COMMIT PREPARED makes visible what another transaction wrote.
        return statement.mayWriteElsewhere() ? byKind.and(Invalidation.DATABASE) : byKind;
    }

    /**
     * True when the catalog can bound what the statements change ({@link
     * io.pgmemo.cache.catalog.PgCatalog#tablesTouched}): reads (a cursor's query too) and data writes,
     * whatever functions they call; not DDL, privileges, procedures or statements run by name.
     */
    public static boolean catalogCanBound(List<Classification> statements) {
        for (Classification statement : statements) {
            boolean bounded = switch (statement.kind()) {
                case READ, EXPLAIN, WRITE, COPY_TO, TRANSACTION, OTHER -> true;
                default -> false;
            };
            if (!bounded || statement.changesCatalog() || statement.mayWriteElsewhere()) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the statements read relations or use operators: a view, a table's row-level security
     * policy or a user-defined operator may call a function that writes, whatever the words say.
     */
    public static boolean mayCallHiddenFunctions(List<Classification> statements) {
        for (Classification statement : statements) {
            if (!statement.relationNames().isEmpty() || !statement.operators().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when statements whose words change nothing ({@code fromText} is none) may still write
     * through a view, policy or operator they reach, which only the catalog can tell.
     */
    public static boolean mayWriteUnseen(List<Classification> statements, Invalidation fromText) {
        return fromText.isNone() && catalogCanBound(statements) && mayCallHiddenFunctions(statements);
    }

    /**
     * True when the statements may end a transaction block, making its writes visible to others:
     * transaction control, a procedure or DO block (which may COMMIT), or text the proxy cannot read.
     */
    public static boolean mayEndTransaction(List<Classification> statements) {
        for (Classification statement : statements) {
            switch (statement.kind()) {
                case TRANSACTION, CALL_OR_DO, UNKNOWN -> {
                    return true;
                }
                default -> { }
            }
        }
        return false;
    }

    /** True when the statement cannot have changed the session's settings, role or temp relations. */
    public static boolean keepsSessionState(List<Classification> statements) {
        for (Classification statement : statements) {
            boolean read = statement.kind() == StatementKind.READ
                    || statement.kind() == StatementKind.EXPLAIN;
            if (!read || !onlyHarmlessFunctions(statement)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Text the proxy cannot read (a statement it does not understand) is nearly always text PostgreSQL
     * rejects too, with nothing run. What such text may change is therefore dropped only once a
     * statement of it has run (at its CommandComplete, before the client sees it, and again when its
     * transaction ends), not before it is sent: a syntax error drops nothing.
     */
    public static boolean unreadable(List<Classification> statements) {
        for (Classification statement : statements) {
            if (statement.kind() == StatementKind.UNKNOWN) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the statements may drop prepared statements (DEALLOCATE, DISCARD, DO, CALL, not understood,
     * or a function that is not a known built-in: it may run DEALLOCATE). SET and RESET do not.
     */
    public static boolean mayDropStatements(List<Classification> statements) {
        for (Classification statement : statements) {
            boolean drops = switch (statement.kind()) {
                case SESSION -> statement.preparedStatements().contains(PreparedStatementEffect.DROPS);
                case CALL_OR_DO, UNKNOWN -> true;
                default -> false;
            };
            if (drops || !onlyHarmlessFunctions(statement)) {
                return true;
            }
        }
        return false;
    }

    /** True when the statements may create prepared statements by name (PREPARE, DO, CALL, not understood). */
    public static boolean mayNameStatements(List<Classification> statements) {
        for (Classification statement : statements) {
            boolean names = switch (statement.kind()) {
                case SESSION -> statement.preparedStatements().contains(PreparedStatementEffect.NAMES);
                case CALL_OR_DO, UNKNOWN -> true;
                default -> false;
            };
            if (names) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyHarmlessFunctions(Classification statement) {
        for (FunctionCall call : statement.functionCalls()) {
            boolean builtin = call.name().schema() == null || "pg_catalog".equals(call.name().schema());
            if (!builtin || call.attributeNotation() || !HARMLESS_FUNCTIONS.contains(call.name().name())) {
                return false;
            }
        }
        return true;
    }
}

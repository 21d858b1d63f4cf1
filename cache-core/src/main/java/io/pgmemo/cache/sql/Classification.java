package io.pgmemo.cache.sql;

import java.util.List;
import java.util.Set;

/**
 * What {@link StatementClassifier} learned from one statement's text. Lexical only: which names are
 * relations and which functions are safe is for the catalog to decide (io.pgmemo.cache.catalog).
 * All names over-approximate: a listed name may be a column or alias; a name that matters is never
 * missing.
 *
 * @param kind               what the statement does
 * @param command            the leading key word(s), upper case, for logs and statistics (e.g. "SELECT")
 * @param functionCalls      every place that may call a pg_proc function, including attribute notation
 * @param sqlValueFunctions  SQL key-word functions used, such as current_date or current_user
 * @param operators          operator symbols used (user-defined operators call functions too)
 * @param relationNames      candidate relation names: every name not followed by a parenthesis
 * @param blockers           reasons never to cache this statement, whatever the catalog says
 * @param timeDependent      uses a time key word (current_timestamp, ...) or a time literal ('now', ...)
 * @param writeTargets       tables written by INSERT/UPDATE/DELETE/MERGE/TRUNCATE/COPY FROM/SELECT INTO
 * @param mayWriteElsewhere  the statement may change data (or visibility) beyond {@code writeTargets}:
 *                           invalidate the whole database after it
 * @param changesCatalog     the statement may change the system catalogs (names, views, functions,
 *                           privileges): drop the catalog answers after it
 * @param preparedStatements what the statement does to prepared statements (PREPARE, EXECUTE,
 *                           DEALLOCATE, DISCARD); empty for every other statement
 */
public record Classification(
        StatementKind kind,
        String command,
        List<FunctionCall> functionCalls,
        Set<String> sqlValueFunctions,
        Set<String> operators,
        List<QualifiedName> relationNames,
        List<String> blockers,
        boolean timeDependent,
        List<QualifiedName> writeTargets,
        boolean mayWriteElsewhere,
        boolean changesCatalog,
        Set<PreparedStatementEffect> preparedStatements) {

    public Classification {
        functionCalls = List.copyOf(functionCalls);
        sqlValueFunctions = Set.copyOf(sqlValueFunctions);
        operators = Set.copyOf(operators);
        relationNames = List.copyOf(relationNames);
        blockers = List.copyOf(blockers);
        writeTargets = List.copyOf(writeTargets);
        preparedStatements = Set.copyOf(preparedStatements);
    }

    /** A READ with no blocker: cacheable if the catalog agrees (functions, relations). */
    public boolean isCacheCandidate() {
        return kind == StatementKind.READ && blockers.isEmpty();
    }
}

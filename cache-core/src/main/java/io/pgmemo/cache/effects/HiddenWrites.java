package io.pgmemo.cache.effects;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import java.util.List;

/**
 * A statement whose words change nothing but which reads relations or uses operators: a view, a
 * row-level security policy or a user-defined operator it reaches may still call a function that
 * writes. Only the catalog can tell (its write scope of the statements).
 */
public record HiddenWrites(String sql, boolean standardConformingStrings, List<Classification> statements) {

    /** The statements' hidden writes to judge, or null when their words already say what they change. */
    public static HiddenWrites of(String sql, boolean standardConformingStrings, List<Classification> statements,
                           Invalidation fromText) {
        if (!fromText.isNone() || !StatementEffects.catalogCanBound(statements)
                || !StatementEffects.mayCallHiddenFunctions(statements)) {
            return null;
        }
        return new HiddenWrites(sql, standardConformingStrings, statements);
    }

    /** The shape the catalog's answer is kept under; computed only when it is asked for. */
    public SqlShape shape() {
        return SqlShape.of(sql, standardConformingStrings);
    }
}

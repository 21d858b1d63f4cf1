package io.pgmemo.cache.sql;

/**
 * A place where the statement may call a pg_proc function.
 *
 * @param name              the function name as written
 * @param argumentCount     the number of arguments at the call site (top-level commas + 1; 0 for {@code f()})
 * @param attributeNotation true for {@code x.f} without parentheses, which PostgreSQL may read as the call
 *                          {@code f(x)} of a function taking a row (only functions taking one composite
 *                          argument can match; unknown names are then columns, not calls)
 */
public record FunctionCall(QualifiedName name, int argumentCount, boolean attributeNotation) {

    @Override
    public String toString() {
        return attributeNotation ? "." + name : name + "/" + argumentCount;
    }
}

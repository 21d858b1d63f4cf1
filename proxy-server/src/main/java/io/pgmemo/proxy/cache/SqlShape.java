package io.pgmemo.proxy.cache;

import io.pgmemo.cache.sql.SqlLexer;
import io.pgmemo.cache.sql.TimeLiterals;
import io.pgmemo.cache.sql.Token;
import io.pgmemo.cache.sql.TokenKind;

/**
 * A query string with its literals replaced by '?'. What a statement is (read or write, which
 * names, functions and operators it uses) and whether the catalog lets it be cached do not depend
 * on its constants, so both are kept per shape and a point lookup with a new key value is not
 * classified again. The constants that do matter, time literals such as 'now', are noted here.
 *
 * @param text        the shape
 * @param timeLiteral a string literal reads the clock ('now', 'today', ...)
 */
record SqlShape(String text, boolean timeLiteral) {

    static SqlShape of(String sql, boolean standardConformingStrings) {
        StringBuilder shape = new StringBuilder(sql.length());
        boolean timeLiteral = false;
        for (Token token : new SqlLexer(standardConformingStrings).tokenize(sql)) {
            TokenKind kind = token.kind();
            if (kind == TokenKind.STRING) {
                timeLiteral |= TimeLiterals.isTimeDependent(token.value());
            }
            boolean literal = kind == TokenKind.STRING || kind == TokenKind.NUMBER || kind == TokenKind.BIT_STRING;
            shape.append(literal ? "?" : token.text()).append(' ');
        }
        return new SqlShape(shape.toString(), timeLiteral);
    }
}

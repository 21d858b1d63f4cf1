package io.pgmemo.cache.sql;

/**
 * One lexical token.
 *
 * @param kind  the token class
 * @param text  the exact source text of the token
 * @param value for identifiers the name PostgreSQL would look up (folded, truncated to 63 bytes), for
 *              strings the decoded text, otherwise the text
 * @param start offset of the first character in the statement
 * @param end   offset after the last character
 */
public record Token(TokenKind kind, String text, String value, int start, int end) {

    /** Whether this is the unquoted key word or identifier {@code word} (lower case). */
    public boolean is(String word) {
        return kind == TokenKind.IDENTIFIER && value.equals(word);
    }

    /** Whether this is an identifier, quoted or not. */
    public boolean isName() {
        return kind == TokenKind.IDENTIFIER || kind == TokenKind.QUOTED_IDENTIFIER;
    }

    public boolean is(TokenKind other) {
        return kind == other;
    }
}

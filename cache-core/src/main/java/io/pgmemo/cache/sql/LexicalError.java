package io.pgmemo.cache.sql;

/** Unlexable input; the lexer turns it into an {@link TokenKind#ERROR} token. */
final class LexicalError extends RuntimeException {

    LexicalError(String message) {
        super(message, null, false, false);
    }
}

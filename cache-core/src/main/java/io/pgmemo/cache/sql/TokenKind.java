package io.pgmemo.cache.sql;

/** Lexical token classes, following PostgreSQL's scan.l. */
public enum TokenKind {
    /** An unquoted identifier or key word; its value is folded to lower case (ASCII only, as PostgreSQL does). */
    IDENTIFIER,
    /** A "quoted identifier" or U&"..." identifier; its value keeps its case. */
    QUOTED_IDENTIFIER,
    /** A string constant: '...', E'...', U&'...', N'...' or $tag$...$tag$; its value is the decoded text. */
    STRING,
    /** A bit-string constant B'...' or X'...'; its value is the text between the quotes. */
    BIT_STRING,
    NUMBER,
    /** A positional parameter such as $1. */
    PARAMETER,
    /** An operator, including ::, :, := and the like. */
    OPERATOR,
    LEFT_PAREN,
    RIGHT_PAREN,
    LEFT_BRACKET,
    RIGHT_BRACKET,
    COMMA,
    SEMICOLON,
    DOT,
    /** Unlexable input (unterminated literal or comment, stray character): covers the rest of the text. */
    ERROR
}

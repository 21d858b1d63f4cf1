package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A lexer for PostgreSQL SQL text following src/backend/parser/scan.l: -- and nested block comments,
 * string constants ('' escapes, E'', U&amp;'' with UESCAPE, B'', X'', N'', dollar quoting and quote
 * continuation across newlines), quoted identifiers, numbers, operators and positional parameters.
 *
 * <p>With {@code standard_conforming_strings} off, a backslash escapes in plain '...' strings too,
 * which changes where a string ends: the flag must follow the session's setting.
 *
 * <p>Lexing never throws: unlexable input ends the token list with an {@link TokenKind#ERROR} token
 * covering the rest of the text (the server would reject it; callers must not cache or trust it).
 */
public final class SqlLexer {

    private final boolean standardConformingStrings;

    public SqlLexer(boolean standardConformingStrings) {
        this.standardConformingStrings = standardConformingStrings;
    }

    /** The tokens of {@code sql}, without whitespace and comments. */
    public List<Token> tokenize(String sql) {
        Run run = new Run(sql);
        run.scanAll();
        return run.tokens;
    }

    /**
     * The statements of a simple-Query string, split at top-level semicolons outside quotes, comments,
     * parentheses and SQL-standard function bodies (BEGIN ATOMIC ... END). Each statement is the source
     * text from its first to its last token; empty statements are dropped, as the server drops them.
     */
    public List<String> splitStatements(String sql) {
        List<String> out = new ArrayList<>();
        for (List<Token> statement : StatementSplitter.split(tokenize(sql))) {
            out.add(sql.substring(statement.get(0).start(), statement.get(statement.size() - 1).end()));
        }
        return out;
    }

    /** One pass over one text. */
    private final class Run {
        private final SourceCursor in;
        private final List<Token> tokens = new ArrayList<>();

        Run(String sql) {
            this.in = new SourceCursor(sql);
        }

        void scanAll() {
            int tokenStart = 0;
            try {
                while (in.skipWhitespaceAndComments()) {
                    tokenStart = in.pos;
                    scanToken();
                }
            } catch (LexicalError | IllegalArgumentException e) {
                String rest = in.s.substring(tokenStart);
                tokens.add(new Token(TokenKind.ERROR, rest, e.getMessage(), tokenStart, in.s.length()));
            }
        }

        private void scanToken() {
            int start = in.pos;
            char c = in.current();
            char next = in.charAt(start + 1);
            if (SourceCursor.isIdentStart(c)) {
                scanWordOrPrefixedLiteral(start, c, next);
            } else if (c == '"') {
                in.pos++;
                add(TokenKind.QUOTED_IDENTIFIER, start, checkedName(QuotedText.quotedBody(in, '"')));
            } else if (c == '\'') {
                in.pos++;
                add(TokenKind.STRING, start, QuotedText.stringBody(in, !standardConformingStrings));
            } else if (c == '$') {
                scanDollar(start, next);
            } else if (SourceCursor.isDigit(c) || (c == '.' && SourceCursor.isDigit(next))) {
                scanNumber(start);
            } else {
                scanPunctuationOrOperator(start, c, next);
            }
        }

        /** E'', B'', X'', N'', U&amp;'' and U&amp;"" start like identifiers; longest match wins, as in flex. */
        private void scanWordOrPrefixedLiteral(int start, char c, char next) {
            char lower = Character.toLowerCase(c);
            if (next == '\'' && "ebxn".indexOf(lower) >= 0) {
                in.pos += 2;
                if (lower == 'e' || lower == 'n') {
                    boolean escapes = lower == 'e' || !standardConformingStrings;
                    add(TokenKind.STRING, start, QuotedText.stringBody(in, escapes));
                } else {
                    add(TokenKind.BIT_STRING, start, QuotedText.stringBody(in, false));
                }
            } else if (lower == 'u' && next == '&' && (in.charAt(start + 2) == '\'' || in.charAt(start + 2) == '"')) {
                scanUnicode(start, in.charAt(start + 2));
            } else {
                while (!in.atEnd() && SourceCursor.isIdentContinue(in.current())) {
                    in.pos++;
                }
                add(TokenKind.IDENTIFIER, start, StringLiterals.foldIdentifier(in.from(start)));
            }
        }

        private void scanUnicode(int start, char quote) {
            in.pos += 3;
            String body = quote == '\'' ? QuotedText.stringBody(in, false) : QuotedText.quotedBody(in, '"');
            String value = StringLiterals.decodeUnicode(body, QuotedText.unicodeEscapeClause(in));
            if (quote == '\'') {
                add(TokenKind.STRING, start, value);
            } else {
                add(TokenKind.QUOTED_IDENTIFIER, start, checkedName(value));
            }
        }

        private void scanDollar(int start, char next) {
            if (SourceCursor.isDigit(next)) {
                in.pos++;
                while (SourceCursor.isDigit(in.current())) {
                    in.pos++;
                }
                add(TokenKind.PARAMETER, start, in.from(start));
            } else {
                add(TokenKind.STRING, start, QuotedText.dollarBody(in));
            }
        }

        /** Decimal, hexadecimal/octal/binary (0x, 0o, 0b) and underscores (PostgreSQL 16) all lex as NUMBER. */
        private void scanNumber(int start) {
            if (in.current() == '0' && "xXoObB".indexOf(in.charAt(start + 1)) >= 0
                    && SourceCursor.isHexDigit(in.charAt(start + 2))) {
                in.pos += 2;
                while (SourceCursor.isHexDigit(in.current()) || in.current() == '_') {
                    in.pos++;
                }
            } else {
                digits();
                if (in.current() == '.' && in.charAt(in.pos + 1) != '.') {
                    in.pos++;
                    digits();
                }
                char sign = in.charAt(in.pos + 1);
                boolean exponent = in.current() == 'e' || in.current() == 'E';
                if (exponent && (SourceCursor.isDigit(sign)
                        || ((sign == '+' || sign == '-') && SourceCursor.isDigit(in.charAt(in.pos + 2))))) {
                    in.pos += 2;
                    digits();
                }
            }
            add(TokenKind.NUMBER, start, in.from(start));
        }

        private void digits() {
            while (SourceCursor.isDigit(in.current())
                    || (in.current() == '_' && SourceCursor.isDigit(in.charAt(in.pos + 1)))) {
                in.pos++;
            }
        }

        private void scanPunctuationOrOperator(int start, char c, char next) {
            TokenKind kind = switch (c) {
                case '(' -> TokenKind.LEFT_PAREN;
                case ')' -> TokenKind.RIGHT_PAREN;
                case '[' -> TokenKind.LEFT_BRACKET;
                case ']' -> TokenKind.RIGHT_BRACKET;
                case ',' -> TokenKind.COMMA;
                case ';' -> TokenKind.SEMICOLON;
                case '.' -> next == '.' ? TokenKind.OPERATOR : TokenKind.DOT;
                case ':' -> TokenKind.OPERATOR;
                default -> null;
            };
            if (kind != null) {
                boolean pair = (c == '.' && next == '.') || (c == ':' && (next == ':' || next == '='));
                in.pos += pair ? 2 : 1;
                add(kind, start, in.from(start));
            } else if (Operators.isOperatorChar(c)) {
                in.pos = start + Operators.operatorLength(in.s, start);
                add(TokenKind.OPERATOR, start, in.from(start));
            } else {
                throw new LexicalError("unexpected character " + c);
            }
        }

        private String checkedName(String name) {
            if (name.isEmpty()) {
                throw new LexicalError("zero-length delimited identifier");
            }
            return StringLiterals.truncateIdentifier(name);
        }

        private void add(TokenKind kind, int start, String value) {
            tokens.add(new Token(kind, in.from(start), value, start, in.pos));
        }
    }
}

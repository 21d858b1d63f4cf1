package io.pgmemo.cache.sql;

/**
 * A query string with its literals replaced by '?'. What a statement is (read or write, which
 * names, functions and operators it uses) and whether the catalog lets it be cached do not depend
 * on its constants, so both are kept per shape and a point lookup with a new key value is not
 * classified again. The constants that do matter, time literals such as 'now', are noted here.
 *
 * @param text        the shape
 * @param timeLiteral a string literal reads the clock ('now', 'today', ...)
 */
public record SqlShape(String text, boolean timeLiteral) {

    public static SqlShape of(String sql, boolean standardConformingStrings) {
        SqlShape plain = plain(sql, standardConformingStrings);
        return plain != null ? plain : lexed(sql, standardConformingStrings);
    }

    /** The shape of plain text without the lexer (see {@link PlainText}), or null. */
    static SqlShape plain(String sql, boolean standardConformingStrings) {
        return PlainText.shape(sql, standardConformingStrings);
    }

    /** The shape from the full lexer: every token's text, literals as '?', each followed by a blank. */
    static SqlShape lexed(String sql, boolean standardConformingStrings) {
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

    /**
     * The same shape as {@link #lexed} in one pass without tokens, for the text most queries are:
     * ASCII words, decimal numbers, plain '...' strings, parentheses, commas, dots and the common
     * one- and two-character operators. Anything else (comments, quoted names, dollar quotes,
     * prefixed or continued strings, exponents, casts, parameters, longer operators) gives null,
     * and the lexer decides. A miss pays for its shape on every query, so this is the hot path.
     */
    private static final class PlainText {
        private final String sql;
        private final boolean backslashesPlain;
        private final StringBuilder shape;
        private int pos;
        private boolean timeLiteral;

        private PlainText(String sql, boolean standardConformingStrings) {
            this.sql = sql;
            this.backslashesPlain = standardConformingStrings;
            this.shape = new StringBuilder(sql.length() + 16);
        }

        static SqlShape shape(String sql, boolean standardConformingStrings) {
            PlainText text = new PlainText(sql, standardConformingStrings);
            return text.scan() ? new SqlShape(text.shape.toString(), text.timeLiteral) : null;
        }

        private boolean scan() {
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (SourceCursor.isSpace(c)) {
                    pos++;
                    continue;
                }
                boolean plain;
                if (isLetter(c) || c == '_') {
                    plain = word();
                } else if (SourceCursor.isDigit(c)) {
                    plain = number();
                } else if (c == '\'') {
                    plain = string();
                } else if (c == '(' || c == ')' || c == ',' || c == ';' || c == '[' || c == ']') {
                    shape.append(c);
                    pos++;
                    plain = true;
                } else if (c == '.') {
                    plain = dot();
                } else {
                    plain = operator();
                }
                if (!plain) {
                    return false;
                }
                shape.append(' ');
            }
            return true;
        }

        /** A name or key word; one followed by a quote or '&' may be a prefixed literal (E'', U&''). */
        private boolean word() {
            int start = pos;
            while (pos < sql.length() && isWordPart(sql.charAt(pos))) {
                pos++;
            }
            char next = charAt(pos);
            if (next == '\'' || next == '"' || next == '&' || next >= 0x80) {
                return false;
            }
            shape.append(sql, start, pos);
            return true;
        }

        /** Digits, optionally '.' and digits; exponents, 0x, underscores and junk after it are the lexer's. */
        private boolean number() {
            digits();
            if (charAt(pos) == '.') {
                pos++;
                digits();
            }
            char next = charAt(pos);
            if (isWordPart(next) || next == '.' || next >= 0x80) {
                return false;
            }
            shape.append('?');
            return true;
        }

        private void digits() {
            while (SourceCursor.isDigit(charAt(pos))) {
                pos++;
            }
        }

        /** A '...' string with '' for a quote; backslashes only where they are plain characters. */
        private boolean string() {
            int bodyStart = ++pos;
            boolean doubledQuote = false;
            while (true) {
                if (pos >= sql.length()) {
                    return false;
                }
                char c = sql.charAt(pos);
                if (c == '\\' && !backslashesPlain) {
                    return false;
                }
                if (c == '\'') {
                    if (charAt(pos + 1) != '\'') {
                        break;
                    }
                    doubledQuote = true;
                    pos++;
                }
                pos++;
            }
            String body = sql.substring(bodyStart, pos);
            pos++;
            if (continuesWithQuote()) {
                return false;
            }
            timeLiteral |= TimeLiterals.isTimeDependent(doubledQuote ? body.replace("''", "'") : body);
            shape.append('?');
            return true;
        }

        /** 'a' followed by blanks and a quote is one string continued (or an error): the lexer's case. */
        private boolean continuesWithQuote() {
            int next = pos;
            while (next < sql.length() && SourceCursor.isSpace(sql.charAt(next))) {
                next++;
            }
            return charAt(next) == '\'';
        }

        private boolean dot() {
            char next = charAt(pos + 1);
            if (next == '.' || SourceCursor.isDigit(next)) {
                return false;
            }
            shape.append('.');
            pos++;
            return true;
        }

        /** = < > + - * / % alone, and <= >= <> != (a longer run has the lexer's trailing +/- and comment rules). */
        private boolean operator() {
            int start = pos;
            while (pos < sql.length() && Operators.isOperatorChar(sql.charAt(pos))) {
                pos++;
            }
            String run = sql.substring(start, pos);
            boolean common = switch (run) {
                case "=", "<", ">", "+", "-", "*", "/", "%", "<=", ">=", "<>", "!=" -> true;
                default -> false;
            };
            if (common) {
                shape.append(run);
            }
            return common;
        }

        private char charAt(int i) {
            return i < sql.length() ? sql.charAt(i) : '\0';
        }

        /** ASCII only: a name with other letters is left to the lexer (see {@link SourceCursor#isIdentStart}). */
        private static boolean isLetter(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private static boolean isWordPart(char c) {
            return isLetter(c) || SourceCursor.isDigit(c) || c == '_' || c == '$';
        }
    }
}

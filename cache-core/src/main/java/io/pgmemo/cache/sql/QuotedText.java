package io.pgmemo.cache.sql;

/** The bodies of quoted constants and identifiers (scan.l states xq, xe, xus, xd, xui, xdolq). */
final class QuotedText {

    private QuotedText() {
    }

    /**
     * Reads a single-quoted body after its opening quote, including quote continuations (a closing quote,
     * blanks and -- comments containing a newline, and a new opening quote continue the same constant).
     *
     * @param backslashEscapes E'' strings, and '' strings when standard_conforming_strings is off
     */
    static String stringBody(SourceCursor in, boolean backslashEscapes) {
        StringBuilder raw = new StringBuilder();
        while (true) {
            raw.append(segment(in, backslashEscapes));
            int afterQuote = in.pos;
            if (!skipToContinuationQuote(in)) {
                in.pos = afterQuote;
                String text = raw.toString();
                return backslashEscapes ? StringLiterals.decodeBackslashes(text) : text;
            }
            in.pos++;
        }
    }

    /** Reads a "quoted" body after its opening quote; a doubled quote stands for one. */
    static String quotedBody(SourceCursor in, char quote) {
        StringBuilder out = new StringBuilder();
        while (true) {
            if (in.atEnd()) {
                throw new LexicalError("unterminated quoted identifier");
            }
            char c = in.s.charAt(in.pos++);
            if (c != quote) {
                out.append(c);
            } else if (in.current() == quote) {
                out.append(quote);
                in.pos++;
            } else {
                return out.toString();
            }
        }
    }

    /** Reads $tag$...$tag$ from its first $; returns the text between the delimiters. */
    static String dollarBody(SourceCursor in) {
        int start = in.pos;
        int tagEnd = start + 1;
        if (SourceCursor.isIdentStart(in.charAt(tagEnd))) {
            while (SourceCursor.isIdentStart(in.charAt(tagEnd)) || SourceCursor.isDigit(in.charAt(tagEnd))) {
                tagEnd++;
            }
        }
        if (in.charAt(tagEnd) != '$') {
            throw new LexicalError("unexpected $");
        }
        String delimiter = in.s.substring(start, tagEnd + 1);
        int close = in.s.indexOf(delimiter, tagEnd + 1);
        if (close < 0) {
            throw new LexicalError("unterminated dollar-quoted string");
        }
        in.pos = close + delimiter.length();
        return in.s.substring(tagEnd + 1, close);
    }

    /** Consumes an optional {@code UESCAPE 'c'} after a U&amp; literal; returns the escape character. */
    static char unicodeEscapeClause(SourceCursor in) {
        int afterLiteral = in.pos;
        in.skipWhitespaceAndComments();
        if (!in.s.regionMatches(true, in.pos, "uescape", 0, 7) || SourceCursor.isIdentContinue(in.charAt(in.pos + 7))) {
            in.pos = afterLiteral;
            return '\\';
        }
        in.pos += 7;
        in.skipWhitespaceAndComments();
        if (in.current() != '\'') {
            throw new LexicalError("UESCAPE must be followed by a simple string literal");
        }
        in.pos++;
        String escape = stringBody(in, false);
        char c = escape.length() == 1 ? escape.charAt(0) : '+';
        if ("+'\" \t\n\r\f".indexOf(c) >= 0 || SourceCursor.isHexDigit(c)) {
            throw new LexicalError("invalid Unicode escape character");
        }
        return c;
    }

    /** Reads up to and past the closing quote; '' stands for one quote, and \' too when escapes are on. */
    private static String segment(SourceCursor in, boolean backslashEscapes) {
        StringBuilder raw = new StringBuilder();
        while (true) {
            if (in.atEnd()) {
                throw new LexicalError("unterminated quoted string");
            }
            char c = in.s.charAt(in.pos++);
            if (c == '\'') {
                if (in.current() != '\'') {
                    return raw.toString();
                }
                in.pos++;
                raw.append(backslashEscapes ? "\\'" : "'");
            } else if (c == '\\' && backslashEscapes && !in.atEnd()) {
                raw.append(c).append(in.s.charAt(in.pos++));
            } else {
                raw.append(c);
            }
        }
    }

    /** scan.l quotecontinue: blanks and -- comments including at least one newline, then a quote. */
    private static boolean skipToContinuationQuote(SourceCursor in) {
        boolean newline = false;
        while (!in.atEnd()) {
            char c = in.current();
            if (c == '\n' || c == '\r') {
                newline = true;
                in.pos++;
            } else if (SourceCursor.isSpace(c)) {
                in.pos++;
            } else if (in.startsWith("--")) {
                in.skipLineComment();
            } else {
                return newline && c == '\'';
            }
        }
        return false;
    }
}

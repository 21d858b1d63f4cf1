package io.pgmemo.cache.sql;

/** A position in SQL text, with the blank and comment rules of scan.l. */
final class SourceCursor {

    final String s;
    int pos;

    SourceCursor(String s) {
        this.s = s;
    }

    char charAt(int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    char current() {
        return charAt(pos);
    }

    boolean atEnd() {
        return pos >= s.length();
    }

    boolean startsWith(String prefix) {
        return s.startsWith(prefix, pos);
    }

    String from(int start) {
        return s.substring(start, pos);
    }

    /** Skips blanks and comments; false at the end of the text. */
    boolean skipWhitespaceAndComments() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (startsWith("--")) {
                skipLineComment();
            } else if (startsWith("/*")) {
                skipBlockComment();
            } else {
                return true;
            }
        }
        return false;
    }

    void skipLineComment() {
        while (pos < s.length() && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
            pos++;
        }
    }

    /** Block comments nest: {@code /* a /* b *&#47; c *&#47;} is one comment. */
    private void skipBlockComment() {
        int depth = 0;
        do {
            if (pos >= s.length()) {
                throw new LexicalError("unterminated /* comment");
            }
            if (startsWith("/*")) {
                depth++;
                pos += 2;
            } else if (startsWith("*/")) {
                depth--;
                pos += 2;
            } else {
                pos++;
            }
        } while (depth > 0);
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentContinue(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isHexDigit(char c) {
        return c < 0x80 && Character.digit(c, 16) >= 0;
    }
}

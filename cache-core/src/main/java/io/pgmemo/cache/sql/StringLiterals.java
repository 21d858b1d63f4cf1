package io.pgmemo.cache.sql;

import java.nio.charset.StandardCharsets;

/** Decoding of escapes inside string constants and identifiers (PostgreSQL docs, "Lexical Structure" 4.1.2). */
final class StringLiterals {

    /** PostgreSQL keeps at most NAMEDATALEN - 1 bytes of an identifier. */
    static final int MAX_IDENTIFIER_BYTES = 63;

    private StringLiterals() {
    }

    /** Decodes C-style backslash escapes, as in E'...' (and '...' when standard_conforming_strings is off). */
    static String decodeBackslashes(String body) {
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c != '\\' || i >= body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(i++);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'x' -> i = appendNumber(body, i, 16, 2, out, false);
                case 'u' -> i = appendNumber(body, i, 16, 4, out, true);
                case 'U' -> i = appendNumber(body, i, 16, 8, out, true);
                default -> {
                    if (e >= '0' && e <= '7') {
                        i = appendNumber(body, i - 1, 8, 3, out, false);
                    } else {
                        out.append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Decodes U&'...' escapes: {@code \XXXX}, {@code \+XXXXXX} and a doubled escape character. */
    static String decodeUnicode(String body, char escape) {
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c != escape) {
                out.append(c);
            } else if (i < body.length() && body.charAt(i) == escape) {
                out.append(escape);
                i++;
            } else if (i < body.length() && body.charAt(i) == '+') {
                i = appendExact(body, i + 1, 6, out);
            } else {
                i = appendExact(body, i, 4, out);
            }
        }
        return out.toString();
    }

    /** Folds ASCII letters to lower case, as downcase_identifier does for multibyte encodings. */
    static String foldIdentifier(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return truncateIdentifier(out.toString());
    }

    /** Cuts an identifier to 63 bytes of UTF-8 at a character boundary, as truncate_identifier does. */
    static String truncateIdentifier(String name) {
        if (name.length() * 3 <= MAX_IDENTIFIER_BYTES
                || name.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return name;
        }
        int bytes = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_IDENTIFIER_BYTES) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }

    private static int appendNumber(String s, int from, int radix, int maxDigits, StringBuilder out, boolean exact) {
        int end = from;
        while (end < s.length() && end - from < maxDigits && Character.digit(s.charAt(end), radix) >= 0) {
            end++;
        }
        if (end == from || (exact && end - from != maxDigits)) {
            throw new IllegalArgumentException("invalid escape at " + from);
        }
        appendCodePoint(Integer.parseUnsignedInt(s.substring(from, end), radix), out);
        return end;
    }

    private static int appendExact(String s, int from, int digits, StringBuilder out) {
        return appendNumber(s, from, 16, digits, out, true);
    }

    private static void appendCodePoint(int cp, StringBuilder out) {
        if (!Character.isValidCodePoint(cp)) {
            throw new IllegalArgumentException("invalid code point " + cp);
        }
        out.appendCodePoint(cp);
    }
}

package io.pgmemo.proxy.auth;

import java.util.ArrayList;
import java.util.List;

/** The two double-quoted fields of an auth file line; a quote inside a field is written twice. */
final class QuotedFields {
    private QuotedFields() {
    }

    static List<String> parse(String line, String where) {
        List<String> fields = new ArrayList<>(2);
        int at = 0;
        while (at < line.length()) {
            char c = line.charAt(at);
            if (Character.isWhitespace(c)) {
                at++;
                continue;
            }
            if (c != '"') {
                throw new IllegalArgumentException(where + ": expected \"user\" \"secret\"");
            }
            StringBuilder field = new StringBuilder();
            at = readQuoted(line, at + 1, field, where);
            fields.add(field.toString());
        }
        if (fields.size() != 2 || fields.get(0).isEmpty()) {
            throw new IllegalArgumentException(where + ": expected \"user\" \"secret\"");
        }
        return fields;
    }

    /** Reads up to the closing quote; returns the index after it. */
    private static int readQuoted(String line, int at, StringBuilder field, String where) {
        while (at < line.length()) {
            char c = line.charAt(at);
            if (c != '"') {
                field.append(c);
                at++;
            } else if (at + 1 < line.length() && line.charAt(at + 1) == '"') {
                field.append('"');
                at += 2;
            } else {
                return at + 1;
            }
        }
        throw new IllegalArgumentException(where + ": unterminated quoted field");
    }
}

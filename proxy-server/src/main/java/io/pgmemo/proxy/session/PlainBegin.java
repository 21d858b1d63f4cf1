package io.pgmemo.proxy.session;

import io.pgmemo.protocol.frontend.Parse;

/**
 * Recognizes a BEGIN with no transaction modes: BEGIN, BEGIN WORK, BEGIN TRANSACTION or START
 * TRANSACTION, in any case, with blanks and semicolons around. Such a BEGIN cannot fail in a session
 * that is idle, whatever the settings: a mode (ISOLATION LEVEL SERIALIZABLE, READ WRITE) can, on a
 * standby, so any text with more than these words is not one.
 */
final class PlainBegin {
    /** Longer texts are not read at all. */
    static final int MAX_LENGTH = 64;

    private PlainBegin() {
    }

    /** The tag of a prepared statement that is a plain BEGIN and declares no parameters, else null. */
    static String tagOf(Parse parse) {
        return parse == null || parse.parameterTypes().length != 0 ? null : tagOf(parse.query());
    }

    /** The command tag PostgreSQL answers the text with (BEGIN or START TRANSACTION), or null if it is not a plain BEGIN. */
    static String tagOf(String sql) {
        if (sql.length() > MAX_LENGTH) {
            return null;
        }
        int firstStart = wordStart(sql, 0);
        int first = wordEnd(sql, firstStart);
        int secondStart = wordStart(sql, first);
        int second = wordEnd(sql, secondStart);
        if (wordStart(sql, second) != sql.length()) {
            return null;
        }
        String one = sql.substring(firstStart, first);
        String two = sql.substring(secondStart, second);
        if (one.equalsIgnoreCase("BEGIN")
                && (two.isEmpty() || two.equalsIgnoreCase("WORK") || two.equalsIgnoreCase("TRANSACTION"))) {
            return "BEGIN";
        }
        return one.equalsIgnoreCase("START") && two.equalsIgnoreCase("TRANSACTION") ? "START TRANSACTION" : null;
    }

    /** A semicolon, or a blank as PostgreSQL's scanner has them (ASCII only). */
    private static boolean isSeparator(char c) {
        return c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** The first index at or after {@code at} that is not a blank or a semicolon. */
    private static int wordStart(String sql, int at) {
        while (at < sql.length() && isSeparator(sql.charAt(at))) {
            at++;
        }
        return at;
    }

    /** The first index at or after {@code at} that is a blank or a semicolon. */
    private static int wordEnd(String sql, int at) {
        while (at < sql.length() && !isSeparator(sql.charAt(at))) {
            at++;
        }
        return at;
    }
}

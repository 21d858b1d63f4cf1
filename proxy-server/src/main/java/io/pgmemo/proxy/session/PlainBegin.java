package io.pgmemo.proxy.session;

import java.util.Locale;

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

    /** The command tag PostgreSQL answers the text with (BEGIN or START TRANSACTION), or null if it is not a plain BEGIN. */
    static String tagOf(String sql) {
        if (sql.length() > MAX_LENGTH) {
            return null;
        }
        String words = sql.replace(';', ' ').trim().toUpperCase(Locale.ROOT);
        String[] parts = words.split("\\s+");
        if (parts.length == 1 && parts[0].equals("BEGIN")) {
            return "BEGIN";
        }
        if (parts.length != 2) {
            return null;
        }
        if (parts[0].equals("BEGIN") && (parts[1].equals("WORK") || parts[1].equals("TRANSACTION"))) {
            return "BEGIN";
        }
        return parts[0].equals("START") && parts[1].equals("TRANSACTION") ? "START TRANSACTION" : null;
    }
}

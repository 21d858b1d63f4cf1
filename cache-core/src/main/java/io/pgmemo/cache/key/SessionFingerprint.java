package io.pgmemo.cache.key;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The session state that can change the bytes of a result: two sessions with equal fingerprints
 * get the same response for the same query. A null field means "not set" and is distinct from
 * the empty string; whether an unknown state may be served at all is the caller's decision.
 *
 * @param otherSettings further result-affecting settings (e.g. default_text_search_config, custom
 *                      GUCs), by lower-case name; kept sorted so the key encoding is stable
 */
public record SessionFingerprint(
        String database,
        String sessionUser,
        String currentRole,
        String searchPath,
        String timeZone,
        String dateStyle,
        String intervalStyle,
        String extraFloatDigits,
        String byteaOutput,
        String clientEncoding,
        String standardConformingStrings,
        SortedMap<String, String> otherSettings) {

    public SessionFingerprint {
        Objects.requireNonNull(database, "database");
        otherSettings = copySorted(otherSettings);
    }

    public static Builder builder(String database) {
        return new Builder(database);
    }

    /** A builder starting from this fingerprint, for a session whose state changed. */
    public Builder toBuilder() {
        Builder b = new Builder(database);
        b.sessionUser = sessionUser;
        b.currentRole = currentRole;
        b.searchPath = searchPath;
        b.timeZone = timeZone;
        b.dateStyle = dateStyle;
        b.intervalStyle = intervalStyle;
        b.extraFloatDigits = extraFloatDigits;
        b.byteaOutput = byteaOutput;
        b.clientEncoding = clientEncoding;
        b.standardConformingStrings = standardConformingStrings;
        b.otherSettings.putAll(otherSettings);
        return b;
    }

    private static SortedMap<String, String> copySorted(Map<String, String> settings) {
        TreeMap<String, String> copy = new TreeMap<>();
        if (settings != null) {
            settings.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "setting name"),
                    Objects.requireNonNull(value, () -> "value of setting " + name)));
        }
        return Collections.unmodifiableSortedMap(copy);
    }

    /** Mutable builder; {@link #setting} accepts settings by their server name (ParameterStatus, SET). */
    public static final class Builder {
        private String database;
        private String sessionUser;
        private String currentRole;
        private String searchPath;
        private String timeZone;
        private String dateStyle;
        private String intervalStyle;
        private String extraFloatDigits;
        private String byteaOutput;
        private String clientEncoding;
        private String standardConformingStrings;
        private final TreeMap<String, String> otherSettings = new TreeMap<>();

        private Builder(String database) {
            this.database = Objects.requireNonNull(database, "database");
        }

        public Builder database(String value) {
            database = Objects.requireNonNull(value, "database");
            return this;
        }

        public Builder sessionUser(String value) {
            sessionUser = value;
            return this;
        }

        public Builder currentRole(String value) {
            currentRole = value;
            return this;
        }

        public Builder searchPath(String value) {
            searchPath = value;
            return this;
        }

        public Builder timeZone(String value) {
            timeZone = value;
            return this;
        }

        public Builder dateStyle(String value) {
            dateStyle = value;
            return this;
        }

        public Builder intervalStyle(String value) {
            intervalStyle = value;
            return this;
        }

        public Builder extraFloatDigits(String value) {
            extraFloatDigits = value;
            return this;
        }

        public Builder byteaOutput(String value) {
            byteaOutput = value;
            return this;
        }

        public Builder clientEncoding(String value) {
            clientEncoding = value;
            return this;
        }

        public Builder standardConformingStrings(String value) {
            standardConformingStrings = value;
            return this;
        }

        /**
         * Sets a setting by its server name, case-insensitively (GUC names are). Names with a
         * field of their own go there; any other goes to otherSettings. A null value removes it.
         */
        public Builder setting(String name, String value) {
            String lower = name.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "session_authorization" -> sessionUser = value;
                case "role" -> currentRole = value;
                case "search_path" -> searchPath = value;
                case "timezone" -> timeZone = value;
                case "datestyle" -> dateStyle = value;
                case "intervalstyle" -> intervalStyle = value;
                case "extra_float_digits" -> extraFloatDigits = value;
                case "bytea_output" -> byteaOutput = value;
                case "client_encoding" -> clientEncoding = value;
                case "standard_conforming_strings" -> standardConformingStrings = value;
                default -> putOther(lower, value);
            }
            return this;
        }

        private void putOther(String name, String value) {
            if (value == null) {
                otherSettings.remove(name);
            } else {
                otherSettings.put(name, value);
            }
        }

        public SessionFingerprint build() {
            return new SessionFingerprint(database, sessionUser, currentRole, searchPath, timeZone, dateStyle,
                    intervalStyle, extraFloatDigits, byteaOutput, clientEncoding, standardConformingStrings,
                    otherSettings);
        }
    }
}

package io.pgmemo.cache.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * A session's search_path setting, parsed as the server does (SplitIdentifierString): comma-separated,
 * unquoted names folded to lower case, "quoted" names kept, {@code $user} standing for the current role.
 */
public final class SearchPath {

    static final String USER = "$user";
    static final String PG_CATALOG = "pg_catalog";
    static final String PG_TEMP = "pg_temp";

    private final List<String> entries;

    private SearchPath(List<String> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Parses a search_path value such as {@code "$user", public}; null or blank is an empty path. */
    public static SearchPath parse(String value) {
        List<String> entries = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return new SearchPath(entries);
        }
        int i = 0;
        while (i < value.length()) {
            StringBuilder name = new StringBuilder();
            i = skipBlanks(value, i);
            if (i < value.length() && value.charAt(i) == '"') {
                i = readQuoted(value, i + 1, name);
            } else {
                int end = value.indexOf(',', i);
                end = end < 0 ? value.length() : end;
                name.append(foldAscii(value.substring(i, end).trim()));
                i = end;
            }
            if (name.length() > 0) {
                entries.add(name.toString());
            }
            i = skipBlanks(value, i) + 1;
        }
        return new SearchPath(entries);
    }

    /** The entries as written (unquoted, folded), including {@code $user} and pg_temp. */
    public List<String> entries() {
        return entries;
    }

    /**
     * The schemas searched for relations and functions, in order: pg_catalog first unless the path places
     * it, {@code $user} replaced by {@code role}, pg_temp left out (temporary relations are judged
     * separately, and functions are never looked up there implicitly).
     */
    List<String> schemas(String role) {
        List<String> out = new ArrayList<>();
        if (!entries.contains(PG_CATALOG)) {
            out.add(PG_CATALOG);
        }
        for (String entry : entries) {
            if (entry.equals(USER)) {
                if (role != null) {
                    out.add(role);
                }
            } else if (!entry.equals(PG_TEMP) && !entry.startsWith("pg_temp_")) {
                out.add(entry);
            }
        }
        return out;
    }

    boolean mentionsUser() {
        return entries.contains(USER);
    }

    @Override
    public String toString() {
        return String.join(", ", entries);
    }

    private static int readQuoted(String value, int i, StringBuilder name) {
        while (i < value.length()) {
            char c = value.charAt(i++);
            if (c != '"') {
                name.append(c);
            } else if (i < value.length() && value.charAt(i) == '"') {
                name.append('"');
                i++;
            } else {
                break;
            }
        }
        int comma = value.indexOf(',', i);
        return comma < 0 ? value.length() : comma;
    }

    /** Unquoted names fold ASCII letters only, as downcase_identifier does for UTF-8. */
    private static String foldAscii(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }

    private static int skipBlanks(String value, int i) {
        while (i < value.length() && Character.isWhitespace(value.charAt(i))) {
            i++;
        }
        return i;
    }
}

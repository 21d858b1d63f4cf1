package io.pgmemo.cache.sql;

import java.util.List;

/**
 * DDL that touches only the session's own temporary tables: CREATE TEMP TABLE without a query, and
 * DROP TABLE (without CASCADE) of names in pg_temp ({@link StatementKind#TEMPORARY_DDL}).
 */
final class TemporaryTables {

    private TemporaryTables() {
    }

    static boolean onlyTemporary(List<Token> tokens, String word) {
        return switch (word) {
            case "create" -> createsWithoutQuery(tokens);
            case "drop" -> dropsOnlyTemporary(tokens);
            default -> false;
        };
    }

    /**
     * CREATE [GLOBAL | LOCAL] {TEMP | TEMPORARY} TABLE [IF NOT EXISTS] name ..., or CREATE TABLE
     * pg_temp.name ..., with no AS anywhere: CREATE TABLE AS runs a query (and AS also starts generated
     * columns, which this leaves to the general rule).
     */
    private static boolean createsWithoutQuery(List<Token> tokens) {
        int i = 1;
        if (Tokens.isWord(tokens, i, "global") || Tokens.isWord(tokens, i, "local")) {
            i++;
        }
        boolean temporary = Tokens.isWord(tokens, i, "temp") || Tokens.isWord(tokens, i, "temporary");
        if (temporary) {
            i++;
        }
        if (!Tokens.isWord(tokens, i, "table")) {
            return false;
        }
        i++;
        if (Tokens.isWord(tokens, i, "if") && Tokens.isWord(tokens, i + 1, "not") && Tokens.isWord(tokens, i + 2, "exists")) {
            i += 3;
        }
        List<String> name = Tokens.nameParts(tokens, i);
        if (name.isEmpty() || !(temporary ? name.size() == 1 || inPgTemp(name) : inPgTemp(name))) {
            return false;
        }
        for (Token token : tokens) {
            if (token.is("as")) {
                return false;
            }
        }
        return true;
    }

    /** DROP TABLE [IF EXISTS] pg_temp.a [, pg_temp.b ...] [RESTRICT]. */
    private static boolean dropsOnlyTemporary(List<Token> tokens) {
        if (!Tokens.isWord(tokens, 1, "table")) {
            return false;
        }
        int i = 2;
        if (Tokens.isWord(tokens, i, "if") && Tokens.isWord(tokens, i + 1, "exists")) {
            i += 2;
        }
        while (true) {
            List<String> name = Tokens.nameParts(tokens, i);
            if (!inPgTemp(name)) {
                return false;
            }
            i += 2 * name.size() - 1;
            if (!Tokens.isKind(tokens, i, TokenKind.COMMA)) {
                break;
            }
            i++;
        }
        if (Tokens.isWord(tokens, i, "restrict")) {
            i++;
        }
        return i == tokens.size();
    }

    private static boolean inPgTemp(List<String> name) {
        return name.size() == 2 && name.get(0).equals("pg_temp");
    }
}

package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of {@code WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (body) [SEARCH ...]
 * [CYCLE ...], ... main}: the CTE bodies and the main statement, each classified on its own.
 */
record WithClause(List<List<Token>> bodies, List<Token> main) {

    /** Parses a statement starting with WITH; null when its shape is not the one above. */
    static WithClause parse(List<Token> t) {
        List<List<Token>> bodies = new ArrayList<>();
        int i = Tokens.isWord(t, 1, "recursive") ? 2 : 1;
        while (true) {
            i = readCommonTableExpression(t, i, bodies);
            if (i < 0) {
                return null;
            }
            if (!Tokens.isKind(t, i, TokenKind.COMMA)) {
                break;
            }
            i++;
        }
        return i < t.size() ? new WithClause(bodies, t.subList(i, t.size())) : null;
    }

    /** Reads one {@code name [(columns)] AS [[NOT] MATERIALIZED] (body) [SEARCH|CYCLE ...]}; -1 if malformed. */
    private static int readCommonTableExpression(List<Token> t, int i, List<List<Token>> bodies) {
        Token name = Tokens.at(t, i);
        if (name == null || !name.isName()) {
            return -1;
        }
        i++;
        if (Tokens.isKind(t, i, TokenKind.LEFT_PAREN)) {
            i = Tokens.closingParen(t, i) + 1;
        }
        if (!Tokens.isWord(t, i, "as")) {
            return -1;
        }
        i++;
        i += Tokens.isWord(t, i, "not") ? 1 : 0;
        i += Tokens.isWord(t, i, "materialized") ? 1 : 0;
        if (!Tokens.isKind(t, i, TokenKind.LEFT_PAREN)) {
            return -1;
        }
        int close = Tokens.closingParen(t, i);
        if (close >= t.size()) {
            return -1;
        }
        bodies.add(t.subList(i + 1, close));
        return skipSearchAndCycle(t, close + 1);
    }

    /**
     * Skips {@code SEARCH ... SET column} and {@code CYCLE ... USING column} after a recursive CTE body;
     * returns the index after them, or -1 when malformed.
     */
    private static int skipSearchAndCycle(List<Token> t, int i) {
        while (Tokens.isWord(t, i, "search") || Tokens.isWord(t, i, "cycle")) {
            String end = Tokens.isWord(t, i, "search") ? "set" : "using";
            while (i < t.size() && !Tokens.isWord(t, i, end)) {
                if (Tokens.isKind(t, i, TokenKind.LEFT_PAREN) || Tokens.isKind(t, i, TokenKind.RIGHT_PAREN)) {
                    return -1;
                }
                i++;
            }
            i += 2;
        }
        return i <= t.size() ? i : -1;
    }
}

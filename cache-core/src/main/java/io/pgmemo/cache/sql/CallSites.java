package io.pgmemo.cache.sql;

import java.util.List;
import java.util.Set;

/**
 * Decides whether a name followed by a parenthesis calls a pg_proc function. It is not a call when it
 * is SQL syntax (COALESCE(...), a key word such as IN or OVER, a type modifier such as varchar(10)) or
 * a column list (an alias {@code t(a, b)} or a CTE {@code x(a) AS (...)}). When unsure it answers
 * "call": an unknown function only makes a query uncacheable, a missed call could serve a volatile one.
 */
final class CallSites {

    /** Type/function-name key words that are also ordinary pg_proc functions. */
    private static final Set<String> FUNCTIONS_AMONG_KEY_WORDS = Set.of("left", "right", "current_schema", "overlaps");
    /** Interval fields that may precede TO in INTERVAL DAY TO SECOND(3). */
    private static final Set<String> INTERVAL_FIELDS = Set.of("year", "month", "day", "hour", "minute");
    private static final Set<String> CLAUSE_WORDS = Set.of("select", "from", "where", "having", "window", "order",
            "limit", "offset", "fetch", "union", "intersect", "except", "by", "on", "using", "with", "returning",
            "for", "into", "values");

    private final List<Token> tokens;
    private final Set<Integer> operatorEnds;

    CallSites(List<Token> tokens, Set<Integer> operatorEnds) {
        this.tokens = tokens;
        this.operatorEnds = operatorEnds;
    }

    /**
     * Whether the name starting at {@code start} and followed by a parenthesis is a function call.
     *
     * @param word the name if it is one unquoted word, else null
     */
    boolean isFunctionCall(int start, String word) {
        if (followsAliasPosition(start) || namesTableWithColumns(start)) {
            return false;
        }
        if (word != null && isSyntax(word, start)) {
            return false;
        }
        int open = start;
        while (!Tokens.isKind(tokens, open, TokenKind.LEFT_PAREN)) {
            open++;
        }
        return !isCteColumnList(open);
    }

    /** Top-level commas + 1; 0 for an empty list; -1 when unbalanced. */
    static int argumentCount(List<Token> tokens, int open) {
        if (Tokens.isKind(tokens, open + 1, TokenKind.RIGHT_PAREN)) {
            return 0;
        }
        int depth = 0;
        int commas = 0;
        for (int i = open; i < tokens.size(); i++) {
            TokenKind kind = tokens.get(i).kind();
            if (kind == TokenKind.LEFT_PAREN || kind == TokenKind.LEFT_BRACKET) {
                depth++;
            } else if (kind == TokenKind.RIGHT_PAREN || kind == TokenKind.RIGHT_BRACKET) {
                if (--depth == 0) {
                    return commas + 1;
                }
            } else if (kind == TokenKind.COMMA && depth == 1) {
                commas++;
            }
        }
        return -1;
    }

    /**
     * After a FROM item, AS, WITH ORDINALITY or "::", a name with parentheses is an alias with column names
     * or a type with a modifier. A closing parenthesis counts, except after DISTINCT ON (...) and
     * OPERATOR(...), which an expression may follow directly.
     */
    private boolean followsAliasPosition(int start) {
        Token prev = Tokens.at(tokens, start - 1);
        if (prev == null) {
            return false;
        }
        return switch (prev.kind()) {
            case RIGHT_PAREN -> !operatorEnds.contains(start - 1) && !closesOnList(start - 1);
            case QUOTED_IDENTIFIER -> true;
            case IDENTIFIER -> prev.is("as") || prev.is("ordinality") || !SqlKeywords.isKeyword(prev.value());
            case OPERATOR -> prev.value().equals("::");
            default -> false;
        };
    }

    /**
     * {@code INSERT INTO t (a, b)} and {@code COPY t (a, b)}: the grammar allows only a table there,
     * whose column list follows. (Taking it for a call made every INSERT that names its columns look
     * like it ran an unknown function: invalidate everything, forget every prepared statement.)
     */
    private boolean namesTableWithColumns(int start) {
        return previousIs(start, "into") && Tokens.isWord(tokens, start - 2, "insert") || previousIs(start, "copy");
    }

    private boolean closesOnList(int close) {
        int open = Tokens.openingParen(tokens, close);
        return open < 0 || Tokens.isWord(tokens, open - 1, "on");
    }

    private boolean isSyntax(String word, int start) {
        if (SqlKeywords.RESERVED.contains(word) || SqlKeywords.TYPE_FUNC_NAME.contains(word)) {
            return !FUNCTIONS_AMONG_KEY_WORDS.contains(word);
        }
        if (SqlKeywords.COL_NAME.contains(word)) {
            return true;
        }
        // OVER (...) and FILTER (...) follow a call's ")" (an alias position); these follow key words.
        return switch (word) {
            case "operator" -> true;
            case "sets" -> previousIs(start, "grouping");
            case "by" -> previousIs(start, "order", "group", "partition", "first");
            case "cube", "rollup" -> inGroupBy(start);
            case "first", "next" -> previousIs(start, "fetch");
            case "varying" -> previousIs(start, "character", "char", "bit", "nchar");
            case "second" -> previousIs(start, "interval")
                    || (previousIs(start, "to") && INTERVAL_FIELDS.contains(wordAt(start - 2)));
            case "zone" -> previousIs(start, "time");
            default -> false;
        };
    }

    private String wordAt(int i) {
        Token t = Tokens.at(tokens, i);
        return t != null && t.kind() == TokenKind.IDENTIFIER ? t.value() : "";
    }

    private boolean previousIs(int start, String... words) {
        Token prev = Tokens.at(tokens, start - 1);
        if (prev == null || prev.kind() != TokenKind.IDENTIFIER) {
            return false;
        }
        for (String w : words) {
            if (prev.value().equals(w)) {
                return true;
            }
        }
        return false;
    }

    /** CUBE(...) and ROLLUP(...) are grouping syntax directly in a GROUP BY list. */
    private boolean inGroupBy(int start) {
        int i = start - 1;
        while (i >= 0) {
            Token t = tokens.get(i);
            if (t.kind() == TokenKind.RIGHT_PAREN) {
                i = Tokens.openingParen(tokens, i) - 1;
                continue;
            }
            if (t.kind() == TokenKind.LEFT_PAREN) {
                return false;
            }
            if (t.kind() == TokenKind.IDENTIFIER && CLAUSE_WORDS.contains(t.value())) {
                return t.is("by") && Tokens.isWord(tokens, i - 1, "group");
            }
            i--;
        }
        return false;
    }

    /** {@code name(a, b) AS [NOT] [MATERIALIZED] (}: a CTE with column names. */
    private boolean isCteColumnList(int open) {
        int i = Tokens.closingParen(tokens, open) + 1;
        if (!Tokens.isWord(tokens, i, "as")) {
            return false;
        }
        i++;
        if (Tokens.isWord(tokens, i, "not")) {
            i++;
        }
        if (Tokens.isWord(tokens, i, "materialized")) {
            i++;
        }
        return Tokens.isKind(tokens, i, TokenKind.LEFT_PAREN);
    }
}

package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies SQL statements for the result cache from their text alone (no catalog access). Stateless
 * and thread-safe. Whatever it does not understand is {@link StatementKind#UNKNOWN}: forwarded, never
 * cached, and assumed to change anything.
 */
public final class StatementClassifier {

    /** Functions whose call alone forbids caching, before any catalog look-up. */
    private static final Set<String> BLOCKING_FUNCTIONS =
            Set.of("nextval", "setval", "currval", "lastval", "random", "setseed");
    private static final Set<String> QUERY_STARTS = Set.of("select", "values", "table");
    private static final Set<String> OFF_VALUES = Set.of("false", "off", "0");

    private StatementClassifier() {
    }

    /**
     * Classifies one statement (a trailing semicolon is fine). Text holding several statements is
     * UNKNOWN: split simple-Query strings with {@link #classifyAll} instead.
     *
     * @param standardConformingStrings the session's standard_conforming_strings
     */
    public static Classification classify(String statement, boolean standardConformingStrings) {
        List<List<Token>> statements = StatementSplitter.split(new SqlLexer(standardConformingStrings).tokenize(statement));
        if (statements.size() > 1) {
            return ClassificationBuilder.unknown("", "several statements");
        }
        return statements.isEmpty() ? empty() : classifyTokens(statements.get(0));
    }

    /** Splits a simple-Query string and classifies each statement, in order. */
    public static List<Classification> classifyAll(String sql, boolean standardConformingStrings) {
        List<Classification> out = new ArrayList<>();
        for (List<Token> statement : StatementSplitter.split(new SqlLexer(standardConformingStrings).tokenize(sql))) {
            out.add(classifyTokens(statement));
        }
        return out;
    }

    /** Classifies the tokens of one statement (also CTE bodies, EXPLAIN and COPY targets). */
    static Classification classifyTokens(List<Token> tokens) {
        if (tokens.isEmpty()) {
            return empty();
        }
        for (Token t : tokens) {
            if (t.kind() == TokenKind.ERROR) {
                return ClassificationBuilder.unknown("", "lexical error: " + t.value());
            }
        }
        int first = 0;
        while (Tokens.isKind(tokens, first, TokenKind.LEFT_PAREN)) {
            first++;
        }
        Token head = Tokens.at(tokens, first);
        if (head == null || head.kind() != TokenKind.IDENTIFIER) {
            return ClassificationBuilder.unknown("", "does not start with a key word");
        }
        return dispatch(tokens, head.value(), first > 0);
    }

    private static Classification dispatch(List<Token> tokens, String word, boolean parenthesized) {
        if (QUERY_STARTS.contains(word) || (word.equals("with") && parenthesized)) {
            return query(tokens, word);
        }
        return switch (word) {
            case "with" -> with(tokens);
            case "explain" -> explain(tokens);
            case "insert", "update", "delete", "merge", "truncate", "copy" -> WriteStatements.classify(tokens, word);
            default -> UtilityStatements.classify(tokens, word);
        };
    }

    private static Classification query(List<Token> tokens, String word) {
        ClassificationBuilder b = new ClassificationBuilder(StatementKind.READ, word.toUpperCase(Locale.ROOT));
        QueryScanner.scanQuery(tokens, b);
        for (FunctionCall call : b.functionCalls) {
            if (!call.attributeNotation() && BLOCKING_FUNCTIONS.contains(call.name().name())) {
                b.blockers.add("calls " + call.name().name());
            }
        }
        return b.build();
    }

    /** WITH: each CTE body and the main statement are classified on their own, then combined. */
    private static Classification with(List<Token> tokens) {
        WithClause clause = WithClause.parse(tokens);
        if (clause == null) {
            return ClassificationBuilder.unknown("WITH", "WITH clause not understood");
        }
        Classification main = classifyTokens(clause.main());
        ClassificationBuilder b = new ClassificationBuilder(main.kind(), main.command());
        b.absorb(main);
        for (List<Token> body : clause.bodies()) {
            Classification part = classifyTokens(body);
            b.kind = combine(b.kind, part.kind());
            b.absorb(part);
        }
        if (b.kind == StatementKind.UNKNOWN) {
            b.anything();
        }
        return b.build();
    }

    /** The kind of a WITH statement from its parts: any write makes a write, anything odd is UNKNOWN. */
    private static StatementKind combine(StatementKind a, StatementKind b) {
        if (a == StatementKind.UNKNOWN || b == StatementKind.UNKNOWN) {
            return StatementKind.UNKNOWN;
        }
        if (a == StatementKind.WRITE || b == StatementKind.WRITE) {
            return StatementKind.WRITE;
        }
        if (b == StatementKind.READ) {
            return a;
        }
        if (b == StatementKind.OTHER && (a == StatementKind.READ || a == StatementKind.OTHER)) {
            return StatementKind.OTHER;
        }
        return StatementKind.UNKNOWN;
    }

    /**
     * EXPLAIN only plans, unless ANALYZE (or ANALYSE) is on: then the statement runs, and EXPLAIN ANALYZE
     * of a write is a write.
     */
    private static Classification explain(List<Token> tokens) {
        int i = 1;
        boolean analyze = false;
        if (Tokens.isKind(tokens, i, TokenKind.LEFT_PAREN)) {
            int close = Tokens.closingParen(tokens, i);
            analyze = analyzeOption(tokens.subList(i + 1, Math.min(close, tokens.size())));
            i = close + 1;
        } else {
            while (Tokens.isWord(tokens, i, "analyze") || Tokens.isWord(tokens, i, "analyse")
                    || Tokens.isWord(tokens, i, "verbose")) {
                analyze |= !Tokens.isWord(tokens, i, "verbose");
                i++;
            }
        }
        if (!analyze) {
            return new ClassificationBuilder(StatementKind.EXPLAIN, "EXPLAIN").build();
        }
        Classification target = classifyTokens(tokens.subList(Math.min(i, tokens.size()), tokens.size()));
        StatementKind kind = target.kind() == StatementKind.READ ? StatementKind.EXPLAIN : target.kind();
        ClassificationBuilder b = new ClassificationBuilder(kind, "EXPLAIN");
        b.absorb(target);
        return b.build();
    }

    /** Whether an option list turns ANALYZE on: present and not explicitly false/off/0. */
    private static boolean analyzeOption(List<Token> options) {
        boolean optionStart = true;
        for (int i = 0; i < options.size(); i++) {
            Token t = options.get(i);
            if (optionStart && (t.is("analyze") || t.is("analyse"))) {
                Token value = Tokens.at(options, i + 1);
                boolean off = value != null && value.kind() != TokenKind.COMMA
                        && OFF_VALUES.contains(value.value().toLowerCase(Locale.ROOT));
                if (!off) {
                    return true;
                }
            }
            optionStart = t.kind() == TokenKind.COMMA;
        }
        return false;
    }

    private static Classification empty() {
        return new ClassificationBuilder(StatementKind.OTHER, "").build();
    }
}

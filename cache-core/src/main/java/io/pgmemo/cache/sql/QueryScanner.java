package io.pgmemo.cache.sql;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One pass over a statement's tokens that collects what the catalog must judge: function calls,
 * candidate relation names, operators, SQL value functions, time literals and blockers.
 *
 * <p>In query mode (SELECT, VALUES, TABLE, WITH) it also recognises what turns a query into something
 * else: SELECT INTO (a write that creates a table), a locking clause (FOR UPDATE and friends) and a
 * data-modifying statement in parentheses outside a WITH clause the caller parsed (not understood).
 */
final class QueryScanner {

    private static final Set<String> TIME_KEY_WORDS =
            Set.of("current_date", "current_time", "current_timestamp", "localtime", "localtimestamp");
    private static final Set<String> SESSION_KEY_WORDS = Set.of(
            "current_user", "session_user", "current_role", "user", "current_catalog", "current_schema");
    private static final Set<String> WRITE_KEY_WORDS = Set.of("insert", "update", "delete", "merge");
    private static final Set<String> NOT_AN_OPERATOR = Set.of("::", ":", ":=", "..", "=>");
    private static final Set<String> INTO_NOISE = Set.of("temporary", "temp", "unlogged", "global", "local", "table");

    private final List<Token> tokens;
    private final ClassificationBuilder out;
    private final boolean queryMode;
    private final CallSites callSites;
    /** Closing parentheses of OPERATOR(...): an expression may follow them directly. */
    private final Set<Integer> operatorEnds = new HashSet<>();

    private QueryScanner(List<Token> tokens, ClassificationBuilder out, boolean queryMode) {
        this.tokens = tokens;
        this.out = out;
        this.queryMode = queryMode;
        this.callSites = new CallSites(tokens, operatorEnds);
    }

    /** Scans a SELECT/VALUES/TABLE: may change the builder's kind to WRITE, OTHER or UNKNOWN. */
    static void scanQuery(List<Token> tokens, ClassificationBuilder out) {
        new QueryScanner(tokens, out, true).run();
    }

    /** Scans any other statement for what it may call; never changes the kind. */
    static void scanExpressions(List<Token> tokens, ClassificationBuilder out) {
        new QueryScanner(tokens, out, false).run();
    }

    private void run() {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            switch (t.kind()) {
                case STRING -> literal(t);
                case OPERATOR -> operator(t);
                case IDENTIFIER, QUOTED_IDENTIFIER -> i = name(i);
                case DOT -> attribute(i);
                case LEFT_PAREN -> parenthesis(i);
                default -> {
                }
            }
        }
    }

    private void literal(Token t) {
        if (TimeLiterals.isTimeDependent(t.value())) {
            out.timeDependent = true;
        }
        mentionsTemp(t.value());
    }

    private void operator(Token t) {
        if (!NOT_AN_OPERATOR.contains(t.value())) {
            out.operators.add(t.value());
        }
    }

    /** {@code (expr).name}: the name may be a function of the row, called in attribute notation. */
    private void attribute(int dot) {
        Token next = Tokens.at(tokens, dot + 1);
        Token before = Tokens.at(tokens, dot - 1);
        if (next != null && next.isName() && before != null && !before.isName()) {
            out.functionCalls.add(new FunctionCall(QualifiedName.unqualified(next.value()), 1, true));
        }
    }

    private void parenthesis(int open) {
        Token next = Tokens.at(tokens, open + 1);
        if (next != null && next.kind() == TokenKind.IDENTIFIER && WRITE_KEY_WORDS.contains(next.value())) {
            if (queryMode) {
                out.kind = StatementKind.UNKNOWN;
                out.blockers.add("data-modifying statement in parentheses");
            }
            out.anything();
        }
    }

    /** Handles the dotted name starting at {@code start}; returns the index of its last token. */
    private int name(int start) {
        List<String> parts = Tokens.nameParts(tokens, start);
        int last = start + 2 * parts.size() - 2;
        parts.forEach(this::mentionsTemp);
        String word = parts.size() == 1 && tokens.get(start).kind() == TokenKind.IDENTIFIER ? parts.get(0) : null;
        boolean call = Tokens.isKind(tokens, last + 1, TokenKind.LEFT_PAREN);
        if (word != null) {
            keyWord(word, start, call);
        }
        if (call) {
            // Otherwise an alias or CTE column list, a type modifier or SQL syntax: not a relation either.
            if (callSites.isFunctionCall(start, word)) {
                int args = CallSites.argumentCount(tokens, last + 1);
                out.functionCalls.add(new FunctionCall(Tokens.toName(parts), args, false));
            }
            return last;
        }
        if (namesType(start)) {
            return last;
        }
        if (word == null || !SqlKeywords.cannotNameRelation(word)) {
            addRelationCandidates(parts);
        }
        if (parts.size() > 1) {
            out.functionCalls.add(new FunctionCall(QualifiedName.unqualified(parts.get(parts.size() - 1)), 1, true));
        }
        return last;
    }

    /**
     * After "::" comes a type, after AS an alias or (in CAST) a type: never a relation that is read, even
     * when it names a table's row type ({@code x::pg_catalog.int4}, {@code CAST(r AS public.orders)}).
     */
    private boolean namesType(int start) {
        Token prev = Tokens.at(tokens, start - 1);
        return prev != null && (prev.is("as") || (prev.kind() == TokenKind.OPERATOR && prev.value().equals("::")));
    }

    /** Every adjacent pair of a dotted name may be schema.relation; a single name is unqualified. */
    private void addRelationCandidates(List<String> parts) {
        if (parts.size() == 1) {
            out.relationNames.add(QualifiedName.unqualified(parts.get(0)));
        }
        for (int i = 0; i + 1 < parts.size(); i++) {
            out.relationNames.add(new QualifiedName(parts.get(i), parts.get(i + 1)));
        }
    }

    private void keyWord(String word, int at, boolean call) {
        if (TIME_KEY_WORDS.contains(word)) {
            out.sqlValueFunctions.add(word);
            out.timeDependent = true;
        } else if (SESSION_KEY_WORDS.contains(word) && !call) {
            out.sqlValueFunctions.add(word);
        } else if (word.equals("system_user") && !call) {
            out.sqlValueFunctions.add(word);
            out.blockers.add("system_user depends on the authentication method");
        } else if (word.equals("operator") && call) {
            operatorConstruct(at + 1);
        } else if (queryMode) {
            queryKeyWord(word, at);
        }
    }

    private void queryKeyWord(String word, int at) {
        switch (word) {
            case "lock" -> out.blockers.add("mentions LOCK");
            case "tablesample" -> out.blockers.add("TABLESAMPLE");
            case "for" -> lockingClause(at);
            case "into" -> selectInto(at);
            default -> {
            }
        }
    }

    /** OPERATOR(schema.op): records the operator; an operand may follow the closing parenthesis. */
    private void operatorConstruct(int open) {
        int close = Tokens.closingParen(tokens, open);
        Token symbol = Tokens.at(tokens, close - 1);
        if (symbol != null && symbol.kind() == TokenKind.OPERATOR) {
            out.operators.add(symbol.value());
        }
        operatorEnds.add(close);
    }

    /** FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE. */
    private void lockingClause(int at) {
        boolean locking = Tokens.isWord(tokens, at + 1, "update") || Tokens.isWord(tokens, at + 1, "share")
                || (Tokens.isWord(tokens, at + 1, "no") && Tokens.isWord(tokens, at + 2, "key"))
                || (Tokens.isWord(tokens, at + 1, "key") && Tokens.isWord(tokens, at + 2, "share"));
        if (locking) {
            out.blockers.add("locking clause");
            if (out.kind == StatementKind.READ) {
                out.kind = StatementKind.OTHER;
            }
        }
    }

    /** SELECT ... INTO [TEMP|UNLOGGED] [TABLE] name: creates and fills a table. */
    private void selectInto(int at) {
        int i = at + 1;
        while (Tokens.at(tokens, i) != null && Tokens.at(tokens, i).kind() == TokenKind.IDENTIFIER
                && INTO_NOISE.contains(tokens.get(i).value())) {
            i++;
        }
        Tokens.NameAt target = Tokens.readQualifiedName(tokens, i);
        if (target != null) {
            out.writeTargets.add(target.name());
        }
        out.blockers.add("SELECT INTO");
        if (out.kind != StatementKind.UNKNOWN) {
            out.kind = StatementKind.WRITE;
        }
        out.command = "SELECT INTO";
        out.anything();
    }

    private void mentionsTemp(String text) {
        if (text.contains("pg_temp")) {
            out.blockers.add("mentions pg_temp");
        }
    }
}

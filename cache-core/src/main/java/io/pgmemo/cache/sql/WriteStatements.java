package io.pgmemo.cache.sql;

import java.util.List;
import java.util.Locale;

/**
 * INSERT, UPDATE, DELETE, MERGE, TRUNCATE and COPY: the tables they write. A target that cannot be
 * read from the text sets {@code mayWriteElsewhere}. Triggers, rules and foreign-key actions are the
 * catalog's business (they are not visible in the text).
 */
final class WriteStatements {

    private WriteStatements() {
    }

    static Classification classify(List<Token> tokens, String word) {
        return switch (word) {
            case "truncate" -> truncate(tokens);
            case "copy" -> copy(tokens);
            default -> dml(tokens, word);
        };
    }

    /** INSERT INTO t, UPDATE [ONLY] t, DELETE FROM [ONLY] t, MERGE INTO [ONLY] t. */
    private static Classification dml(List<Token> tokens, String word) {
        ClassificationBuilder b = new ClassificationBuilder(StatementKind.WRITE, word.toUpperCase(Locale.ROOT));
        int i = 1;
        String required = switch (word) {
            case "insert", "merge" -> "into";
            case "delete" -> "from";
            default -> null;
        };
        if (required != null) {
            i = Tokens.isWord(tokens, i, required) ? i + 1 : -1;
        }
        if (i > 0 && Tokens.isWord(tokens, i, "only")) {
            i++;
        }
        Tokens.NameAt target = i > 0 ? Tokens.readQualifiedName(tokens, i) : null;
        addTarget(b, target);
        QueryScanner.scanExpressions(tokens, b);
        return b.build();
    }

    /** TRUNCATE [TABLE] [ONLY] a [*], ... [CASCADE]: CASCADE empties referencing tables too. */
    private static Classification truncate(List<Token> tokens) {
        ClassificationBuilder b = new ClassificationBuilder(StatementKind.WRITE, "TRUNCATE");
        int i = Tokens.isWord(tokens, 1, "table") ? 2 : 1;
        while (true) {
            if (Tokens.isWord(tokens, i, "only")) {
                i++;
            }
            Tokens.NameAt target = Tokens.readQualifiedName(tokens, i);
            addTarget(b, target);
            if (target == null) {
                break;
            }
            i = target.next();
            if (Tokens.at(tokens, i) != null && tokens.get(i).value().equals("*")) {
                i++;
            }
            if (!Tokens.isKind(tokens, i, TokenKind.COMMA)) {
                break;
            }
            i++;
        }
        for (Token t : tokens) {
            if (t.is("cascade")) {
                b.mayWriteElsewhere = true;
            }
        }
        return b.build();
    }

    /**
     * COPY t [(columns)] FROM writes t; COPY t TO and COPY (query) TO only read, unless the query is
     * itself a data-modifying statement with RETURNING.
     */
    private static Classification copy(List<Token> tokens) {
        int i = Tokens.isWord(tokens, 1, "binary") ? 2 : 1;
        if (Tokens.isKind(tokens, i, TokenKind.LEFT_PAREN)) {
            return copyQuery(tokens, i);
        }
        Tokens.NameAt table = Tokens.readQualifiedName(tokens, i);
        if (table == null) {
            return ClassificationBuilder.unknown("COPY", "COPY not understood");
        }
        i = table.next();
        if (Tokens.isKind(tokens, i, TokenKind.LEFT_PAREN)) {
            i = Tokens.closingParen(tokens, i) + 1;
        }
        if (Tokens.isWord(tokens, i, "to")) {
            return new ClassificationBuilder(StatementKind.COPY_TO, "COPY").build();
        }
        if (!Tokens.isWord(tokens, i, "from")) {
            return ClassificationBuilder.unknown("COPY", "COPY not understood");
        }
        ClassificationBuilder b = new ClassificationBuilder(StatementKind.WRITE, "COPY");
        addTarget(b, table);
        QueryScanner.scanExpressions(tokens.subList(i, tokens.size()), b);
        return b.build();
    }

    /** COPY (query) TO: the query runs; COPY (DELETE ... RETURNING *) TO is a write. */
    private static Classification copyQuery(List<Token> tokens, int open) {
        int close = Tokens.closingParen(tokens, open);
        if (close >= tokens.size() || !Tokens.isWord(tokens, close + 1, "to")) {
            return ClassificationBuilder.unknown("COPY", "COPY not understood");
        }
        Classification query = StatementClassifier.classifyTokens(tokens.subList(open + 1, close));
        StatementKind kind = query.kind() == StatementKind.READ || query.kind() == StatementKind.OTHER
                ? StatementKind.COPY_TO : query.kind();
        ClassificationBuilder b = new ClassificationBuilder(kind, "COPY");
        b.absorb(query);
        return b.build();
    }

    private static void addTarget(ClassificationBuilder b, Tokens.NameAt target) {
        if (target == null) {
            b.blockers.add("write target not understood");
            b.mayWriteElsewhere = true;
        } else {
            b.writeTargets.add(target.name());
        }
    }
}

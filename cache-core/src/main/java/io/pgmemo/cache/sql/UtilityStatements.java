package io.pgmemo.cache.sql;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Statements other than queries and DML, classified by their leading key words. */
final class UtilityStatements {

    private static final Set<String> DDL = Set.of("create", "alter", "drop", "comment", "security", "import",
            "refresh", "reindex", "cluster", "vacuum", "analyze", "analyse");
    private static final Set<String> PRIVILEGE = Set.of("grant", "revoke", "reassign");
    private static final Set<String> SESSION = Set.of("set", "reset", "discard", "load", "prepare", "execute",
            "deallocate", "listen", "unlisten", "notify");
    private static final Set<String> TRANSACTION = Set.of("begin", "start", "commit", "end", "rollback", "abort",
            "savepoint", "release");
    private static final Set<String> OTHER = Set.of("show", "lock", "checkpoint", "declare", "fetch", "move", "close");
    /** Objects whose CREATE/ALTER/DROP changes who may see what. */
    private static final Set<String> PRIVILEGE_OBJECTS = Set.of("role", "user", "group", "policy");
    /** Words that may stand between CREATE and the object type. */
    private static final Set<String> CREATE_NOISE = Set.of("or", "replace", "temp", "temporary", "unlogged",
            "global", "local", "unique", "trusted", "procedural", "default", "recursive", "materialized");

    private UtilityStatements() {
    }

    static Classification classify(List<Token> tokens, String word) {
        String command = word.toUpperCase(Locale.ROOT);
        if (TemporaryTables.onlyTemporary(tokens, word)) {
            return new ClassificationBuilder(StatementKind.TEMPORARY_DDL, command).build();
        }
        if (DDL.contains(word)) {
            StatementKind kind = grantsOrRevokes(tokens, word) ? StatementKind.PRIVILEGE : StatementKind.DDL;
            return new ClassificationBuilder(kind, command).anything().build();
        }
        if (PRIVILEGE.contains(word)) {
            return new ClassificationBuilder(StatementKind.PRIVILEGE, command).anything().build();
        }
        if (word.equals("call") || word.equals("do")) {
            return new ClassificationBuilder(StatementKind.CALL_OR_DO, command).anything().build();
        }
        if (SESSION.contains(word) || TRANSACTION.contains(word)) {
            return sessionOrTransaction(tokens, word, command);
        }
        if (OTHER.contains(word)) {
            ClassificationBuilder b = new ClassificationBuilder(StatementKind.OTHER, command);
            QueryScanner.scanExpressions(tokens, b);
            return b.build();
        }
        return ClassificationBuilder.unknown(command, "unknown command " + command);
    }

    /**
     * CREATE/ALTER/DROP of roles and policies, ALTER DEFAULT PRIVILEGES, DROP OWNED, row level security
     * switches and ownership changes.
     */
    private static boolean grantsOrRevokes(List<Token> tokens, String word) {
        if (!word.equals("create") && !word.equals("alter") && !word.equals("drop")) {
            return false;
        }
        int i = 1;
        while (word.equals("create") && Tokens.at(tokens, i) != null && CREATE_NOISE.contains(tokens.get(i).value())) {
            i++;
        }
        Token object = Tokens.at(tokens, i);
        if (object != null && PRIVILEGE_OBJECTS.contains(object.value()) && object.is(object.value())
                && !Tokens.isWord(tokens, i + 1, "mapping")) {
            return true;
        }
        if (Tokens.isWord(tokens, i, "default") && Tokens.isWord(tokens, i + 1, "privileges")) {
            return true;
        }
        if (word.equals("drop") && Tokens.isWord(tokens, i, "owned")) {
            return true;
        }
        return word.equals("alter") && (containsWords(tokens, "row", "level", "security")
                || containsWords(tokens, "owner", "to"));
    }

    private static Classification sessionOrTransaction(List<Token> tokens, String word, String command) {
        boolean transaction = TRANSACTION.contains(word)
                || (word.equals("set") && (Tokens.isWord(tokens, 1, "transaction") || Tokens.isWord(tokens, 1, "constraints")))
                || (word.equals("prepare") && Tokens.isWord(tokens, 1, "transaction"));
        ClassificationBuilder b = new ClassificationBuilder(
                transaction ? StatementKind.TRANSACTION : StatementKind.SESSION, command);
        if (word.equals("commit") && Tokens.isWord(tokens, 1, "prepared")) {
            b.command = "COMMIT PREPARED";
            b.anything();
        } else if (word.equals("execute") || word.equals("load")) {
            // EXECUTE runs a prepared INSERT/UPDATE/DELETE we do not see; LOAD runs library code.
            b.mayWriteElsewhere = true;
            b.changesCatalog = word.equals("load");
        }
        if (!transaction) {
            preparedStatementEffect(word).ifPresent(b.preparedStatements::add);
        }
        return b.build();
    }

    private static Optional<PreparedStatementEffect> preparedStatementEffect(String word) {
        return switch (word) {
            case "execute" -> Optional.of(PreparedStatementEffect.RUNS);
            case "prepare" -> Optional.of(PreparedStatementEffect.NAMES);
            case "deallocate", "discard" -> Optional.of(PreparedStatementEffect.DROPS);
            default -> Optional.empty();
        };
    }

    private static boolean containsWords(List<Token> tokens, String... words) {
        for (int i = 0; i + words.length <= tokens.size(); i++) {
            boolean match = true;
            for (int k = 0; k < words.length && match; k++) {
                match = tokens.get(i + k).is(words[k]);
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}

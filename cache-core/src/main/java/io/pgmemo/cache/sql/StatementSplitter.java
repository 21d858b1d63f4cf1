package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a token list into statements at semicolons, as the server's grammar does for a simple Query:
 * not inside parentheses, and not inside the body of a SQL-standard routine
 * ({@code CREATE FUNCTION ... BEGIN ATOMIC ...; ...; END}), where CASE ... END nests.
 */
final class StatementSplitter {

    private StatementSplitter() {
    }

    static List<List<Token>> split(List<Token> tokens) {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int parens = 0;
        int atomic = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is(TokenKind.SEMICOLON) && parens <= 0 && atomic == 0) {
                addIfNotEmpty(statements, current);
                current = new ArrayList<>();
                continue;
            }
            current.add(t);
            if (t.is(TokenKind.LEFT_PAREN)) {
                parens++;
            } else if (t.is(TokenKind.RIGHT_PAREN)) {
                parens--;
            } else if (atomic == 0 && t.is("begin") && parens == 0 && startsWithCreate(current)
                    && i + 1 < tokens.size() && tokens.get(i + 1).is("atomic")) {
                atomic = 1;
            } else if (atomic > 0 && t.is("case")) {
                atomic++;
            } else if (atomic > 0 && t.is("end")) {
                atomic--;
            }
        }
        addIfNotEmpty(statements, current);
        return statements;
    }

    private static boolean startsWithCreate(List<Token> statement) {
        return statement.get(0).is("create");
    }

    private static void addIfNotEmpty(List<List<Token>> statements, List<Token> statement) {
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
    }
}

package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.List;

/** Navigation over a statement's token list: parenthesis matching and qualified names. */
final class Tokens {

    /** A qualified name read from a token list, and the index of the token after it. */
    record NameAt(QualifiedName name, int next) {
    }

    private Tokens() {
    }

    static Token at(List<Token> tokens, int i) {
        return i >= 0 && i < tokens.size() ? tokens.get(i) : null;
    }

    static boolean isWord(List<Token> tokens, int i, String word) {
        Token t = at(tokens, i);
        return t != null && t.is(word);
    }

    static boolean isKind(List<Token> tokens, int i, TokenKind kind) {
        Token t = at(tokens, i);
        return t != null && t.kind() == kind;
    }

    /** The index of the parenthesis closing the one at {@code open}, or the list size if unbalanced. */
    static int closingParen(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            TokenKind kind = tokens.get(i).kind();
            if (kind == TokenKind.LEFT_PAREN) {
                depth++;
            } else if (kind == TokenKind.RIGHT_PAREN && --depth == 0) {
                return i;
            }
        }
        return tokens.size();
    }

    /** The index of the parenthesis opening the one closed at {@code close}, or -1. */
    static int openingParen(List<Token> tokens, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            TokenKind kind = tokens.get(i).kind();
            if (kind == TokenKind.RIGHT_PAREN) {
                depth++;
            } else if (kind == TokenKind.LEFT_PAREN && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The dotted name parts starting at {@code i} (name, dot, name, ...); empty if no name there. */
    static List<String> nameParts(List<Token> tokens, int i) {
        List<String> parts = new ArrayList<>();
        if (at(tokens, i) == null || !tokens.get(i).isName()) {
            return parts;
        }
        parts.add(tokens.get(i).value());
        while (isKind(tokens, i + 1, TokenKind.DOT) && at(tokens, i + 2) != null && tokens.get(i + 2).isName()) {
            i += 2;
            parts.add(tokens.get(i).value());
        }
        return parts;
    }

    /**
     * Reads a relation name ([database.]schema.name or name) at {@code i}; null if there is none.
     * A three-part name keeps its last two parts, as the server does after checking the database.
     */
    static NameAt readQualifiedName(List<Token> tokens, int i) {
        List<String> parts = nameParts(tokens, i);
        if (parts.isEmpty()) {
            return null;
        }
        int next = i + 2 * parts.size() - 1;
        return new NameAt(toName(parts), next);
    }

    static QualifiedName toName(List<String> parts) {
        int n = parts.size();
        return n == 1 ? QualifiedName.unqualified(parts.get(0)) : new QualifiedName(parts.get(n - 2), parts.get(n - 1));
    }
}

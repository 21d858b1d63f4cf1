package io.pgmemo.cache.sql;

/** The operator rule of scan.l. */
final class Operators {

    private static final String OPERATOR_CHARS = "~!@#^&|`?+-*/%<>=";
    /** Characters that let a multi-character operator end in + or - (not in SQL-standard operators). */
    private static final String NON_SQL_CHARS = "~!@#^&|`?%";

    private Operators() {
    }

    static boolean isOperatorChar(char c) {
        return OPERATOR_CHARS.indexOf(c) >= 0;
    }

    /**
     * The length of the operator starting at {@code start}: the longest run of operator characters, cut
     * before a comment start, and without trailing + or - unless the operator contains a non-SQL character
     * (so that {@code a=-1} is {@code =} and {@code -}).
     */
    static int operatorLength(String s, int start) {
        int end = start;
        while (end < s.length() && isOperatorChar(s.charAt(end))) {
            end++;
        }
        String run = s.substring(start, end);
        int comment = firstCommentStart(run);
        int n = comment >= 0 ? comment : run.length();
        if (n > 1 && isPlusOrMinus(run.charAt(n - 1)) && !containsNonSqlChar(run, n - 1)) {
            do {
                n--;
            } while (n > 1 && isPlusOrMinus(run.charAt(n - 1)));
        }
        return Math.max(n, 1);
    }

    private static int firstCommentStart(String run) {
        int block = run.indexOf("/*");
        int line = run.indexOf("--");
        if (block < 0) {
            return line;
        }
        return line < 0 ? block : Math.min(block, line);
    }

    private static boolean containsNonSqlChar(String run, int length) {
        for (int i = 0; i < length; i++) {
            if (NON_SQL_CHARS.indexOf(run.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPlusOrMinus(char c) {
        return c == '+' || c == '-';
    }
}

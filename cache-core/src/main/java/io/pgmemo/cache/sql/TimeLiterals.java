package io.pgmemo.cache.sql;

/**
 * The special date/time input strings whose value depends on when they are read ('now', 'today',
 * 'tomorrow', 'yesterday'; 'allballs' too, by caution). {@code 'now'::timestamptz} is as
 * time-dependent as {@code now()}, and the same holds for parameter values bound to date/time types:
 * the proxy should check Bind values with {@link #isTimeDependent} too.
 */
public final class TimeLiterals {

    private static final String[] SPECIAL_WORDS = {"now", "today", "tomorrow", "yesterday", "allballs"};

    private TimeLiterals() {
    }

    /**
     * Whether {@code text} contains one of the special words as a whole word (PostgreSQL's date/time parser
     * splits fields at what is not an ASCII letter and ignores their case), e.g. {@code ' NOW '},
     * {@code 'today 10:00'}. Allocates nothing: every Bind's text parameters pass through here.
     */
    public static boolean isTimeDependent(CharSequence text) {
        int i = 0;
        while (i < text.length()) {
            if (!isAsciiLetter(text.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < text.length() && isAsciiLetter(text.charAt(end))) {
                end++;
            }
            if (isSpecialWord(text, i, end)) {
                return true;
            }
            i = end;
        }
        return false;
    }

    private static boolean isSpecialWord(CharSequence text, int start, int end) {
        for (String word : SPECIAL_WORDS) {
            if (word.length() == end - start && equalsIgnoringCase(text, start, word)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsIgnoringCase(CharSequence text, int start, String lowerCaseWord) {
        for (int k = 0; k < lowerCaseWord.length(); k++) {
            if ((text.charAt(start + k) | 0x20) != lowerCaseWord.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'z';
    }
}

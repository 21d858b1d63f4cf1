package io.pgmemo.cache.sql;

import java.util.Locale;
import java.util.Set;

/**
 * The special date/time input strings whose value depends on when they are read ('now', 'today',
 * 'tomorrow', 'yesterday'; 'allballs' too, by caution). {@code 'now'::timestamptz} is as
 * time-dependent as {@code now()}, and the same holds for parameter values bound to date/time types:
 * the proxy should check Bind values with {@link #isTimeDependent} too.
 */
public final class TimeLiterals {

    private static final Set<String> SPECIAL_WORDS = Set.of("now", "today", "tomorrow", "yesterday", "allballs");

    private TimeLiterals() {
    }

    /**
     * Whether {@code text} contains one of the special words as a whole word (PostgreSQL's date/time parser
     * splits fields at non-letters and ignores case), e.g. {@code ' NOW '}, {@code 'today 10:00'}.
     */
    public static boolean isTimeDependent(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < lower.length()) {
            if (!Character.isLetter(lower.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < lower.length() && Character.isLetter(lower.charAt(end))) {
                end++;
            }
            if (SPECIAL_WORDS.contains(lower.substring(i, end))) {
                return true;
            }
            i = end;
        }
        return false;
    }
}

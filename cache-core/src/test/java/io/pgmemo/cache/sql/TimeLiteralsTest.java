package io.pgmemo.cache.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The special date/time words found as PostgreSQL's date/time parser finds them: whole ASCII words, any case. */
class TimeLiteralsTest {

    @ParameterizedTest
    @ValueSource(strings = {"now", " NOW ", "Today", "today 10:00", "2026-12-07 tomorrow", "yesterday+1",
        "allballs", "epoch,now", "\u0130NOW", "now\u00e9", "12:00 nOw"})
    void findsASpecialWordBetweenOtherCharacters(String text) {
        assertThat(TimeLiterals.isTimeDependent(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12345", "2026-12-07 10:00", "nowhere", "snow", "todays", "tomorro", "epoch",
        "infinity", "n o w"})
    void leavesOtherValues(String text) {
        assertThat(TimeLiterals.isTimeDependent(text)).isFalse();
    }
}

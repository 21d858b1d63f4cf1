package io.pgmemo.cache.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import org.junit.jupiter.api.Test;

/** Admission on the second miss of a key within one window. */
class DoorkeeperTest {
    private static final long WINDOW = 120_000;
    private static final String SQL = "SELECT abalance FROM pgbench_accounts WHERE aid = 42";

    private final Doorkeeper doorkeeper = new Doorkeeper(WINDOW);
    private final CacheKey key = CacheKey.forSimpleQuery(SessionFingerprint.builder("demo").build(), SQL);

    @Test
    void admitsTheSecondMissWithinTheWindow() {
        assertThat(doorkeeper.admit(key, 1_000_000)).isFalse();
        assertThat(doorkeeper.admit(key, 1_000_000 + WINDOW)).isTrue();
        assertThat(doorkeeper.admit(key, 1_000_000 + WINDOW + 5_000)).as("repeated reads stay admitted").isTrue();
    }

    @Test
    void aMissLongerAgoThanTheWindowCountsAsNew() {
        assertThat(doorkeeper.admit(key, 1_000_000)).isFalse();
        assertThat(doorkeeper.admit(key, 1_000_000 + WINDOW + 2_000)).isFalse();
        assertThat(doorkeeper.admit(key, 1_000_000 + WINDOW + 3_000)).isTrue();
    }

    @Test
    void theWindowHoldsWhereIntSecondsWrap() {
        long lastIntSecond = Integer.MAX_VALUE * 1000L;
        assertThat(doorkeeper.admit(key, lastIntSecond)).isFalse();
        assertThat(doorkeeper.admit(key, lastIntSecond + 10_000)).isTrue();
        assertThat(doorkeeper.admit(key, lastIntSecond + 10_000 + WINDOW + 2_000)).isFalse();
    }

    @Test
    void keysSeenOnceAreNeverAdmitted() {
        SessionFingerprint state = SessionFingerprint.builder("demo").build();
        for (int aid = 0; aid < 50_000; aid++) {
            CacheKey first = CacheKey.forSimpleQuery(state, "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid);
            assertThat(doorkeeper.admit(first, 1_000_000)).as("aid %d", aid).isFalse();
        }
    }

    @Test
    void anotherSessionStateIsAnotherKey() {
        CacheKey otherRole = CacheKey.forSimpleQuery(
                SessionFingerprint.builder("demo").setting("role", "alice").build(), SQL);
        assertThat(doorkeeper.admit(key, 1_000_000)).isFalse();
        assertThat(doorkeeper.admit(otherRole, 1_001_000)).isFalse();
        assertThat(doorkeeper.admit(key, 1_002_000)).isTrue();
    }
}

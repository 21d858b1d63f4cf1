package io.pgmemo.cache.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A statement goes cold when its sampled reads rarely hit, and warm again when many do. */
class ReadTemperatureTest {
    private static final CacheKey.Prefix PREFIX = CacheKey.prefix(SessionFingerprint.builder("demo").build());

    private static final long NOW = 1_000_000_000L;

    private final ReadTemperature temperature = new ReadTemperature();

    @Test
    void aboutOneKeyInSixteenIsSampled() {
        List<CacheKey> keys = keys(0, 160_000);
        long sampled = keys.stream().filter(ReadTemperature::isSampled).count();
        assertThat(sampled).isBetween(9_000L, 11_000L);
    }

    /** Keys that differ in their last characters only (a point read's value) under any session's prefix. */
    @Test
    void aboutOneKeyInSixteenIsSampledWhateverThePrefix() {
        for (String role : new String[] {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}) {
            CacheKey.Prefix prefix = CacheKey.prefix(SessionFingerprint.builder("demo").currentRole(role).build());
            long sampled = 0;
            for (int id = 1; id <= 16_000; id++) {
                if (ReadTemperature.isSampled(CacheKey.forSimpleQuery(prefix, "SELECT v FROM t WHERE id = " + id))) {
                    sampled++;
                }
            }
            assertThat(sampled).as("role %s", role).isBetween(800L, 1_200L);
        }
    }

    @Test
    void startsWarmAndRelaysNothing() {
        assertThat(temperature.isCold(NOW)).isFalse();
        assertThat(keys(0, 1_000)).noneMatch(key -> temperature.bypasses(key, NOW));
    }

    @Test
    void aWindowOfSampledMissesMakesItColdAndOnlyUnsampledKeysAreRelayed() {
        List<CacheKey> sampled = sampledKeys(ReadTemperature.WINDOW);
        sampled.subList(0, ReadTemperature.WINDOW - 1).forEach(key -> temperature.looked(key, false, () -> true, NOW));
        assertThat(temperature.isCold(NOW)).as("judged only once the window is full").isFalse();
        temperature.looked(sampled.get(ReadTemperature.WINDOW - 1), false, () -> true, NOW);

        assertThat(temperature.isCold(NOW)).isTrue();
        for (CacheKey key : keys(0, 2_000)) {
            assertThat(temperature.bypasses(key, NOW)).isEqualTo(!ReadTemperature.isSampled(key));
        }
    }

    @Test
    void unsampledReadsDoNotCount() {
        keys(0, 40_000).stream().filter(key -> !ReadTemperature.isSampled(key))
                .forEach(key -> temperature.looked(key, false, () -> true, NOW));
        assertThat(temperature.isCold(NOW)).isFalse();
    }

    @Test
    void aFewHitsKeepItWarm() {
        lookWindow(ReadTemperature.WINDOW / 10);
        assertThat(temperature.isCold(NOW)).as("10% of sampled reads hit").isFalse();
    }

    @Test
    void coldUntilFortyPercentHit() {
        lookWindow(0);
        assertThat(temperature.isCold(NOW)).isTrue();
        lookWindow(ReadTemperature.WINDOW / 4);
        assertThat(temperature.isCold(NOW)).as("25% is not enough to warm up").isTrue();
        lookWindow(ReadTemperature.WINDOW / 2);
        assertThat(temperature.isCold(NOW)).as("50% warms it up").isFalse();
    }

    @Test
    void notCooledWhileTheTierHasRoomThatPays() {
        lookWindow(0, false);
        assertThat(temperature.isCold(NOW)).isFalse();
        lookWindow(0, true);
        assertThat(temperature.isCold(NOW)).isTrue();
        lookWindow(ReadTemperature.WINDOW / 2, false);
        assertThat(temperature.isCold(NOW)).as("warmed up with room or without").isFalse();
    }

    /** Its reads may have narrowed to keys none of which is sampled: after a while it is measured whole again. */
    @Test
    void coldForAMinuteAtMostThenMeasuredWholeAgain() {
        lookWindow(0);
        assertThat(temperature.isCold(NOW + ReadTemperature.COLD_FOR_MILLIS - 1)).isTrue();
        lookWindow(ReadTemperature.WINDOW / 4);
        assertThat(temperature.isCold(NOW + ReadTemperature.COLD_FOR_MILLIS - 1))
                .as("staying cold does not extend it").isTrue();
        assertThat(temperature.isCold(NOW + ReadTemperature.COLD_FOR_MILLIS)).isFalse();
        assertThat(keys(0, 1_000)).noneMatch(key -> temperature.bypasses(key, NOW + ReadTemperature.COLD_FOR_MILLIS));
    }

    private void lookWindow(int hits) {
        lookWindow(hits, true);
    }

    /** One window of sampled reads, {@code hits} of them hits. */
    private void lookWindow(int hits, boolean tierChooses) {
        List<CacheKey> sampled = sampledKeys(ReadTemperature.WINDOW);
        for (int i = 0; i < sampled.size(); i++) {
            temperature.looked(sampled.get(i), i < hits, () -> tierChooses, NOW);
        }
    }

    private static List<CacheKey> sampledKeys(int count) {
        List<CacheKey> sampled = new ArrayList<>(count);
        for (int id = 0; sampled.size() < count; id++) {
            CacheKey key = key(id);
            if (ReadTemperature.isSampled(key)) {
                sampled.add(key);
            }
        }
        return sampled;
    }

    private static List<CacheKey> keys(int from, int to) {
        List<CacheKey> keys = new ArrayList<>(to - from);
        for (int id = from; id < to; id++) {
            keys.add(key(id));
        }
        return keys;
    }

    private static CacheKey key(int id) {
        return CacheKey.forSimpleQuery(PREFIX, "SELECT abalance FROM pgbench_accounts WHERE aid = " + id);
    }
}

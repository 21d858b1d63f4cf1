package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.admission.Admission;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.tier.CachedResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which missed results are stored: all while the memory tier has room, then only those that repeat. */
class AdmissionTest {
    private static final String DATABASE = "demo";
    private static final long NOW = System.currentTimeMillis();
    private static final SessionFingerprint STATE = SessionFingerprint.builder(DATABASE).build();

    private final QueryCache cache = new QueryCache(CacheConfig.defaults().withMemoryBytes(64 << 10), false);

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void everyResultWhileThereIsRoomThenOnlyOnItsSecondMiss() {
        assertThat(cache.admit(key(-1), NOW)).as("first miss, memory empty").isEqualTo(Admission.ROOM);

        int stored = 0;
        while (cache.tiers().memory().hasRoom()) {
            assertThat(cache.tiers().put(entry(stored++), cache.tiers().invalidationSequence())).isTrue();
        }

        assertThat(cache.admit(key(-2), NOW)).as("first miss, memory full").isEqualTo(Admission.REFUSED);
        assertThat(cache.admit(key(-2), NOW + 1_000)).as("second miss").isEqualTo(Admission.REPEATED);
        assertThat(stored).isGreaterThan(10);
    }

    private static CacheKey key(int aid) {
        return CacheKey.forSimpleQuery(STATE, "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid);
    }

    private CachedResult entry(int aid) {
        return cache.tiers().newEntry(key(aid), DATABASE, "postgres", new long[] {4242},
                "row".getBytes(StandardCharsets.US_ASCII), 1, NOW);
    }
}

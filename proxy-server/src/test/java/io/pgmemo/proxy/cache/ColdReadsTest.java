package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads that never repeat make their statement cold: most are then relayed without a look-up, and
 * every one still equals the direct session's; a statement whose reads repeat stays served.
 */
@ProxyTest
class ColdReadsTest {
    private static final int ROWS = 20_000;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        // Room for a few hundred results: the tier must choose what it keeps, as in production.
        proxy = CachingProxy.start(CacheConfig.defaults().withTtl(CachingProxy.LONG_TTL).withMemoryBytes(256 << 10),
                false);
        proxy.admin("CREATE TABLE cold_t (id int PRIMARY KEY, v text)",
                "INSERT INTO cold_t SELECT g, 'v' || g FROM generate_series(1, " + ROWS + ") g");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE cold_t");
        } finally {
            proxy.close();
        }
    }

    @Test
    void pointReadsThatNeverRepeatAreRelayedAndAReadThatRepeatsIsServed() throws Exception {
        for (QueryMode mode : new QueryMode[] {QueryMode.SIMPLE, QueryMode.EXTENDED}) {
            try (Twin twin = Twin.open(proxy, mode, PgEnvironment.SUPERUSER, null)) {
                String shape = "SELECT v, id FROM cold_t WHERE id = ";
                CacheStats.Snapshot before = proxy.stats();
                for (int id = 1; id <= ROWS; id++) {
                    twin.read(shape + id);
                }
                CacheStats.Snapshot after = proxy.stats();
                long relayed = after.relayedCold() - before.relayedCold();
                long looked = (after.hits() - before.hits()) + (after.misses() - before.misses());
                assertThat(relayed).as("%s: relayed without a look-up (%s)", mode, after).isPositive();
                assertThat(looked + relayed).as("%s: every read either looked up or relayed", mode)
                        .isGreaterThanOrEqualTo(ROWS);

                // Another statement has its own temperature: its reads repeat and are answered.
                twin.cache("SELECT v FROM cold_t WHERE id = 7 AND v IS NOT NULL");

                // The cold statement's sampled keys are still looked up: read twice more, they are
                // stored (on their second miss) and then answered, while the rest is relayed.
                CacheStats.Snapshot again = proxy.stats();
                for (int pass = 0; pass < 2; pass++) {
                    for (int id = ROWS - 999; id <= ROWS; id++) {
                        twin.read(shape + id);
                    }
                }
                CacheStats.Snapshot end = proxy.stats();
                assertThat(end.relayedCold() - again.relayedCold()).as("%s: still relayed", mode)
                        .isGreaterThan(1_500);
                assertThat(end.hits() - again.hits()).as("%s: sampled keys answered (%s)", mode, end).isPositive();
            }
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.tier.MemoryTier;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once the memory tier is full, a read seen for the first time goes upstream and is not stored (the
 * doorkeeper); its second miss is stored and its third is a hit. Every answer equals the direct one,
 * in each protocol.
 */
@ProxyTest
class FullTierTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final int ROWS = 5_000;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.start(CacheConfig.defaults().withTtl(CachingProxy.LONG_TTL).withMemoryBytes(64 << 10),
                false);
        proxy.admin("CREATE TABLE ft_t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, " + ROWS + ") g",
                "ALTER TABLE ft_t ADD PRIMARY KEY (id)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE ft_t");
        } finally {
            proxy.close();
        }
    }

    @ParameterizedTest
    @EnumSource(QueryMode.class)
    void aFirstMissIsRelayedUnstoredAndItsRepeatsAreStored(QueryMode mode) throws Exception {
        MemoryTier memory = proxy.server().queryCache().tiers().memory();
        try (Twin session = Twin.open(proxy, mode, USER, null)) {
            for (int id = 1; memory.hasRoom(); id++) {
                assertThat(id).as("reads needed to fill the memory tier").isLessThan(ROWS / 2);
                session.read("SELECT id, h FROM ft_t WHERE id = " + id);
            }
            String sql = "SELECT id, h FROM ft_t WHERE id = " + (ROWS - mode.ordinal());

            Twin.Read first = session.read(sql);
            assertThat(first.delta().misses()).as("first read (%s)", first.delta()).isEqualTo(1);
            assertThat(first.delta().stores()).as("first read (%s)", first.delta()).isZero();
            assertThat(first.outcome().size()).isEqualTo(1);

            Twin.Read second = session.read(sql);
            assertThat(second.delta().misses()).as("second read (%s)", second.delta()).isEqualTo(1);
            assertThat(second.delta().stores()).as("second read (%s)", second.delta()).isEqualTo(1);

            assertThat(session.hit(sql)).isEqualTo(first.outcome());
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Results larger than the entry cap stream through whole and identical, and are not stored. */
@ProxyTest
class OversizedResultTest {
    private static final long MAX_ENTRY_BYTES = 64 * 1024;
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.start(CacheConfig.defaults().withTtl(CachingProxy.LONG_TTL)
                .withMaxEntryBytes(MAX_ENTRY_BYTES), false);
        proxy.admin("CREATE TABLE big_t AS SELECT g AS id, repeat(md5(g::text), 6) AS pad, g * 1.5 AS n"
                        + " FROM generate_series(1, 2000) g",
                "CREATE TABLE big_one AS SELECT 1 AS id, repeat('0123456789abcdef', 65536) AS huge");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE big_t, big_one");
        } finally {
            proxy.close();
        }
    }

    static Stream<String> oversized() {
        return Stream.of(
                "SELECT * FROM big_t ORDER BY id",
                "SELECT id, pad FROM big_t WHERE id <= 400 ORDER BY id",
                "SELECT * FROM big_one",
                "SELECT a.id, b.id FROM big_t a CROSS JOIN big_t b WHERE a.id <= 4 ORDER BY 1, 2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oversized")
    void oversizedResultStreamsWholeAndIsNotStored(String sql) throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            CacheStats.Snapshot before = proxy.stats();
            Outcome first = session.read(sql).outcome();
            Outcome second = session.read(sql).outcome();
            Outcome third = session.read(sql).outcome();
            CachingProxy.Delta delta = proxy.since(before);
            assertThat(delta.stores()).as("stores (%s)", delta).isZero();
            assertThat(delta.hits()).as("hits (%s)", delta).isZero();
            assertThat(delta.misses()).as("misses (%s)", delta).isEqualTo(3);
            assertThat(second).isEqualTo(first);
            assertThat(third).isEqualTo(first);
            assertThat(first.failed()).isFalse();
        }
    }

    /** A result under the cap, from the same tables, is stored and hit: the cap, not the tables, decided. */
    @Test
    void resultUnderTheCapIsStored() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            Outcome small = session.cache("SELECT id, pad FROM big_t WHERE id <= 100 ORDER BY id");
            assertThat(small.size()).isEqualTo(100);
        }
    }

    /** Many oversized results in a row leave the session and the cache working. */
    @Test
    void repeatedOversizedResultsDoNotDisturbTheSession() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            for (int i = 0; i < 3; i++) {
                session.read("SELECT * FROM big_t ORDER BY id");
                session.read("SELECT * FROM big_one");
            }
            session.cache("SELECT count(*) FROM big_t");
        }
    }
}

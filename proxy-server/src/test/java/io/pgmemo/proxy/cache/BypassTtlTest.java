package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A write that bypasses the proxy (a direct connection) is not seen while the entry is fresh, and is
 * seen once the entry's TTL has passed.
 */
@ProxyTest
class BypassTtlTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.start(CacheConfig.defaults().withTtl(TTL), false);
        proxy.admin("CREATE TABLE ttl_t (id int, v text)", "INSERT INTO ttl_t VALUES (1, 'before'), (2, 'before')");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE ttl_t");
        } finally {
            proxy.close();
        }
    }

    @Test
    void directWriteIsSeenOnlyAfterTheTtl() throws Exception {
        String read = "SELECT * FROM ttl_t ORDER BY id";
        try (Twin session = Twin.open(proxy, PgEnvironment.SUPERUSER)) {
            long readFrom = System.nanoTime();
            Outcome before = session.cache(read);
            long storedBy = System.nanoTime();

            proxy.admin("UPDATE ttl_t SET v = 'after' WHERE id = 2");
            Outcome afterDirect = session.directRead(read);
            assertThat(afterDirect).isNotEqualTo(before);

            // Fresh: the cached result, not the bypassing write.
            CacheStats.Snapshot snapshot = proxy.stats();
            Outcome stale = session.proxiedRead(read);
            proxy.since(snapshot).assertHit(read);
            assertThat(System.nanoTime() - readFrom).as("still within the TTL").isLessThan(TTL.toNanos());
            assertThat(stale).isEqualTo(before);

            Thread.sleep(Math.max(0, (storedBy + TTL.toNanos() - System.nanoTime()) / 1_000_000) + 300);

            Outcome expired = session.noHit(read);
            assertThat(expired).isEqualTo(afterDirect);
            assertThat(session.cache(read)).isEqualTo(afterDirect);
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistent cache survives a restart: what was cached is a hit on the new server, and still right. */
@ProxyTest
class PersistentRestartTest {
    private static final String USER = PgEnvironment.SUPERUSER;

    @TempDir
    Path dir;

    private CacheConfig config() {
        return CacheConfig.defaults().withTtl(CachingProxy.LONG_TTL).withFile(dir.resolve("c.duckdb"));
    }

    @Test
    void cachedResultIsAHitAfterRestart() throws Exception {
        String read = "SELECT * FROM restart_t ORDER BY id";
        String other = "SELECT v FROM restart_t WHERE id = 2";
        // One shape: after the first, the second is looked up without asking the catalog.
        String pointOne = "SELECT v, at FROM restart_t WHERE id = 1";
        String pointTwo = "SELECT v, at FROM restart_t WHERE id = 2";
        Outcome cached;
        try (CachingProxy first = CachingProxy.start(config(), true)) {
            first.admin("CREATE TABLE restart_t (id int, v text, at timestamptz)",
                    "INSERT INTO restart_t VALUES (1, 'one', '2024-01-01 00:00+00'), (2, 'two', NULL)");
            try (Twin session = Twin.open(first, USER)) {
                cached = session.cache(read);
                session.cache(other);
                session.cache(pointOne);
                session.cache(pointTwo);
            }
        }
        assertThat(Files.size(dir.resolve("c.duckdb"))).isPositive();

        try (CachingProxy second = CachingProxy.start(config(), true)) {
            try (Twin session = Twin.open(second, USER)) {
                assertThat(session.hit(read)).isEqualTo(cached);
                session.hit(pointOne);
                session.hit(pointTwo);
                assertThat(second.stats().misses()).isZero();

                // Written through the new server: the persisted entries are dropped.
                session.viaProxy("UPDATE restart_t SET v = 'TWO' WHERE id = 2");
                assertThat(session.noHit(read)).isNotEqualTo(cached);
            }
        }

        // The entry of `other`, invalidated by that write and never read again, must not come back.
        try (CachingProxy third = CachingProxy.start(config(), true)) {
            try (Twin session = Twin.open(third, USER)) {
                assertThat(session.noHit(other).first()).isEqualTo("TWO");
                assertThat(session.cache(read)).isNotEqualTo(cached);
            }
        } finally {
            try (java.sql.Connection admin = PgEnvironment.get().direct();
                 java.sql.Statement st = admin.createStatement()) {
                st.execute("DROP TABLE restart_t");
            }
        }
    }
}

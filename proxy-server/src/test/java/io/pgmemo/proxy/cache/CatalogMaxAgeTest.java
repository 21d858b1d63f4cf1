package io.pgmemo.proxy.cache;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DDL that bypasses the proxy is seen once the catalog's answers are older than their max age, also
 * by a session that goes on reading the text it cached and new keys of the same shape.
 */
@ProxyTest
class CatalogMaxAgeTest {
    private static final Duration MAX_AGE = Duration.ofSeconds(1);
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.start(CacheConfig.defaults().withTtl(CachingProxy.LONG_TTL).withCatalogMaxAge(MAX_AGE),
                false);
        proxy.admin("CREATE TABLE age_t (id int)", "INSERT INTO age_t SELECT generate_series(1, 10)",
                "CREATE TABLE age_knob (v int)", "INSERT INTO age_knob VALUES (1)",
                "CREATE FUNCTION age_f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE age_t, age_knob", "DROP FUNCTION age_f()");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aFunctionMadeVolatileDirectlyIsNoLongerCachedAfterTheMaxAge() throws Exception {
        String cached = "SELECT id, age_f() AS f FROM age_t WHERE id = 1";
        String newKey = "SELECT id, age_f() AS f FROM age_t WHERE id = 2";
        try (Twin session = Twin.open(proxy, PgEnvironment.SUPERUSER)) {
            session.cache(cached);
            proxy.admin("CREATE OR REPLACE FUNCTION age_f() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT v FROM age_knob'",
                    "UPDATE age_knob SET v = 2");
            Thread.sleep(MAX_AGE.toMillis() + 300);

            session.noHit(cached);
            for (int read = 0; read < Twin.MAX_READS_TO_STORE; read++) {
                session.noHit(newKey);
            }
            proxy.admin("UPDATE age_knob SET v = 3");
            session.noHit(newKey);
            session.noHit(cached);
        }
    }
}

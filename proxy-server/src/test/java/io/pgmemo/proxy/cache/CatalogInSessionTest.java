package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catalog is read inside the clients' own sessions: password logins (scram-sha-256, md5) are
 * served from the cache with no secret configured in pgmemo, and a role that may not read the
 * catalog is relayed uncached, its results and transactions as direct.
 */
@ProxyTest
class CatalogInSessionTest {
    private static final String READ = "SELECT * FROM pw_items ORDER BY id";
    private static final String BLIND_DATABASE = "catalog_blind";
    private static final String BLIND = "catalog_blind_user";
    private static final String BLIND_READ = "SELECT * FROM blind_items ORDER BY id";

    @BeforeAll
    static void fixtures() throws Exception {
        try (CachingProxy proxy = CachingProxy.memory()) {
            proxy.admin("CREATE TABLE pw_items (id int, v text)", "INSERT INTO pw_items VALUES (1, 'a'), (2, 'b')",
                    "GRANT SELECT ON pw_items TO " + PgEnvironment.SCRAM_USER + ", " + PgEnvironment.MD5_USER,
                    "CREATE ROLE " + BLIND + " LOGIN PASSWORD '" + PgEnvironment.passwordOf(BLIND) + "'",
                    "CREATE DATABASE " + BLIND_DATABASE);
            try (Connection c = CachingProxy.openDatabase(PgEnvironment.get().upstreamPort(), BLIND_DATABASE);
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE blind_items (id int, v text)");
                s.execute("INSERT INTO blind_items VALUES (1, 'x'), (2, 'y')");
                s.execute("GRANT SELECT, UPDATE ON blind_items TO " + BLIND);
                // pgmemo's first look-up reads which schemas the role may use.
                s.execute("REVOKE SELECT ON pg_catalog.pg_namespace FROM PUBLIC");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {PgEnvironment.SCRAM_USER, PgEnvironment.MD5_USER})
    void passwordLoginsAreServedFromTheCache(String user) throws Exception {
        try (CachingProxy proxy = CachingProxy.memory();
             Twin session = Twin.openWithPassword(proxy, user, PgEnvironment.passwordOf(user))) {
            Outcome cached = session.cache(READ);
            assertThat(cached.size()).isEqualTo(2);
            assertThat(session.hit(READ)).isEqualTo(cached);
            assertThat(proxy.server().queryCache().catalogHealth().toString()).startsWith("readable");
        }
    }

    @Test
    void aRoleThatMayNotReadTheCatalogIsRelayedUncached() throws Exception {
        try (CachingProxy proxy = CachingProxy.memory();
             Twin session = Twin.openDatabase(proxy, BLIND_DATABASE, BLIND)) {
            CatalogHealth health = proxy.server().queryCache().catalogHealth();
            for (int i = 0; i < 4; i++) {
                session.noHit(BLIND_READ);
            }
            assertThat(health.unavailable(BLIND_DATABASE)).isTrue();
            assertThat(health.toString()).contains("failed=1,", "relayedUncached=4");
        }
    }

    /** A look-up that fails inside a transaction block leaves the client's transaction as it was. */
    @Test
    void aFailedLookUpInATransactionLeavesItUsable() throws Exception {
        try (CachingProxy proxy = CachingProxy.memory();
             Twin session = Twin.openDatabase(proxy, BLIND_DATABASE, BLIND)) {
            session.both("BEGIN");
            Outcome inside = session.noHit(BLIND_READ);
            assertThat(inside.sqlState()).isNull();
            assertThat(inside.size()).isEqualTo(2);
            assertThat(session.noHit("SELECT 'still in the transaction' AS t")).isNotNull();
            session.both("COMMIT");
            assertThat(session.noHit(BLIND_READ)).isEqualTo(inside);
            assertThat(proxy.server().queryCache().catalogHealth().toString()).contains("failed=1,");
        }
    }

    /**
     * Under repeatable read a look-up sees the catalog as of the transaction's snapshot, which may be
     * old: its answers are not kept for other sessions, and no other look-up runs in that transaction
     * (the question is asked again once the session is idle).
     */
    @Test
    void aLookUpUnderRepeatableReadKeepsNothing() throws Exception {
        try (CachingProxy proxy = CachingProxy.memory();
             Twin session = Twin.open(proxy, PgEnvironment.SUPERUSER)) {
            session.both("BEGIN ISOLATION LEVEL REPEATABLE READ");
            Outcome first = session.noHit(READ);
            assertThat(session.noHit(READ)).isEqualTo(first);
            session.both("COMMIT");
            assertThat(proxy.server().queryCache().catalogHealth().toString())
                    .contains("skipped=1,");
            assertThat(session.cache(READ)).isEqualTo(first);
        }
    }
}

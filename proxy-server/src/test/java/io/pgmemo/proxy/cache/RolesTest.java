package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Privileges and row-level security: a result cached for one role is never served to another, whether
 * the other role logged in as itself or switched to it inside the session.
 */
@ProxyTest
class RolesTest {
    private static final String ADMIN = PgEnvironment.SUPERUSER;
    private static final String A = "cache_role_a";
    private static final String B = "cache_role_b";
    private static final String GRANTED = "SELECT * FROM roles_granted ORDER BY id";
    private static final String OWN_ROWS = "SELECT * FROM roles_rls ORDER BY id";
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin(
                "CREATE ROLE " + A + " LOGIN PASSWORD '" + PgEnvironment.passwordOf(A) + "'",
                "CREATE ROLE " + B + " LOGIN PASSWORD '" + PgEnvironment.passwordOf(B) + "'",
                "CREATE TABLE roles_granted (id int, secret text)",
                "INSERT INTO roles_granted VALUES (1, 'only a may read this'), (2, 'and this')",
                "GRANT SELECT ON roles_granted TO " + A,
                "CREATE TABLE roles_rls (id int, owner name, v text)",
                "INSERT INTO roles_rls VALUES (1, '" + A + "', 'a1'), (2, '" + B + "', 'b1'),"
                        + " (3, '" + A + "', 'a2'), (4, 'nobody', 'n1')",
                "ALTER TABLE roles_rls ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY roles_rls_own ON roles_rls USING (owner = current_user)",
                "GRANT SELECT ON roles_rls TO " + A + ", " + B,
                "CREATE TABLE roles_tenant (id int, tenant text, v text)",
                "INSERT INTO roles_tenant VALUES (1, 't1', 'one'), (2, 't2', 'two'), (3, 't1', 'three')",
                "ALTER TABLE roles_tenant ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY roles_tenant_own ON roles_tenant"
                        + " USING (tenant = current_setting('app.tenant', true))",
                "GRANT SELECT ON roles_tenant TO " + A,
                "CREATE TABLE roles_audited (id int, v text)",
                "INSERT INTO roles_audited VALUES (1, 'x'), (2, 'y')",
                "CREATE TABLE roles_audit_log (id int, reader name)",
                "CREATE FUNCTION roles_audit(id int) RETURNS boolean LANGUAGE plpgsql AS"
                        + " $$ BEGIN INSERT INTO roles_audit_log VALUES (id, current_user); RETURN true; END $$",
                "ALTER TABLE roles_audited ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY roles_audited_log ON roles_audited USING (roles_audit(id))",
                "GRANT SELECT ON roles_audited TO " + A,
                "GRANT SELECT, INSERT ON roles_audit_log TO " + A);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE roles_granted, roles_rls, roles_tenant, roles_audited, roles_audit_log",
                    "DROP FUNCTION roles_audit(int)", "DROP OWNED BY " + A + ", " + B, "DROP ROLE " + A,
                    "DROP ROLE " + B);
        } finally {
            proxy.close();
        }
    }

    /** A role without the privilege gets 42501 through the proxy just as directly, though the other's result is cached. */
    @Test
    void roleWithoutGrantIsRefusedAfterAnotherRoleCachedTheResult() throws Exception {
        Outcome allowed;
        try (Twin a = Twin.open(proxy, A)) {
            allowed = a.cache(GRANTED);
        }
        try (Twin b = Twin.open(proxy, B)) {
            Outcome refused = b.noHit(GRANTED);
            assertThat(refused.sqlState()).isEqualTo("42501");
            assertThat(b.noHit(GRANTED).sqlState()).isEqualTo("42501");
        }
        try (Twin a = Twin.open(proxy, A)) {
            assertThat(a.hit(GRANTED)).isEqualTo(allowed);
        }
    }

    /** GRANT and REVOKE through the proxy take effect at once for results already cached. */
    @Test
    void grantAndRevokeThroughTheProxyAreSeenAtOnce() throws Exception {
        proxy.admin("CREATE TABLE roles_revoked (id int)", "INSERT INTO roles_revoked VALUES (1)",
                "GRANT SELECT ON roles_revoked TO " + A);
        String read = "SELECT * FROM roles_revoked";
        try (Twin a = Twin.open(proxy, A); Twin admin = Twin.open(proxy, ADMIN); Twin b = Twin.open(proxy, B)) {
            a.cache(read);
            assertThat(b.noHit(read).sqlState()).isEqualTo("42501");

            admin.viaProxy("REVOKE SELECT ON roles_revoked FROM " + A);
            admin.viaProxy("GRANT SELECT ON roles_revoked TO " + B);

            assertThat(a.noHit(read).sqlState()).isEqualTo("42501");
            assertThat(b.noHit(read).failed()).isFalse();
            b.cache(read);
        } finally {
            proxy.admin("DROP TABLE roles_revoked");
        }
    }

    /** Each role sees only its own rows, through the proxy as directly, after the other role's rows were cached. */
    @Test
    void rowLevelSecurityPerRole() throws Exception {
        Outcome aRows;
        try (Twin a = Twin.open(proxy, A)) {
            aRows = a.cache(OWN_ROWS);
            assertThat(aRows.size()).isEqualTo(2);
        }
        try (Twin b = Twin.open(proxy, B)) {
            Outcome bRows = b.noHit(OWN_ROWS);
            assertThat(bRows).isNotEqualTo(aRows);
            assertThat(bRows.size()).isEqualTo(1);
            assertThat(b.cache(OWN_ROWS)).isEqualTo(bRows);
        }
        try (Twin a = Twin.open(proxy, A)) {
            assertThat(a.hit(OWN_ROWS)).isEqualTo(aRows);
        }
    }

    static Stream<Arguments> roleSwitches() {
        return Stream.of(
                arguments(named("SET ROLE", new String[] {"SET ROLE " + A, "SET ROLE " + B, "RESET ROLE"})),
                arguments(named("SET SESSION ROLE", new String[] {"SET SESSION ROLE " + A, "SET SESSION ROLE " + B,
                        "SET SESSION ROLE NONE"})),
                arguments(named("set_config('role', ...)", new String[] {
                        "SELECT set_config('role', '" + A + "', false)",
                        "SELECT set_config('role', '" + B + "', false)",
                        "SELECT set_config('role', 'none', false)"})),
                arguments(named("SET SESSION AUTHORIZATION", new String[] {"SET SESSION AUTHORIZATION " + A,
                        "SET SESSION AUTHORIZATION " + B, "RESET SESSION AUTHORIZATION"})));
    }

    /**
     * One superuser session switches to role A (reads cached), to role B (B's rows, and 42501 where
     * B has no grant), then back (all rows): each read equals a direct session doing the same.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("roleSwitches")
    void roleSwitchInsideOneSession(String[] switches) throws Exception {
        // Each way of switching gets its own text, so that entries of the previous cases are not hit.
        String tag = "/* " + switches[0].replaceAll("[^a-zA-Z_ ]", "") + " */ ";
        String own = tag + OWN_ROWS;
        String granted = tag + GRANTED;
        try (Twin session = Twin.open(proxy, ADMIN)) {
            Outcome everything = session.read(own).outcome();
            assertThat(everything.size()).as("a superuser bypasses row-level security").isEqualTo(4);

            session.both(switches[0]);
            Outcome aRows = session.noHit(own);
            assertThat(aRows.size()).isEqualTo(2);
            assertThat(session.cache(own)).isEqualTo(aRows);
            assertThat(session.cache(granted).failed()).isFalse();

            session.both(switches[1]);
            Outcome bRows = session.noHit(own);
            assertThat(bRows.size()).isEqualTo(1);
            assertThat(session.cache(own)).isEqualTo(bRows);
            assertThat(session.noHit(granted).sqlState()).isEqualTo("42501");

            session.both(switches[2]);
            assertThat(session.cache(own)).isEqualTo(everything);
        }
    }

    /** SET LOCAL ROLE and set_config('role', ..., true) last until the end of the transaction only. */
    @Test
    void localRoleEndsWithTheTransaction() throws Exception {
        String own = "/* local */ " + OWN_ROWS;
        proxy.admin("GRANT " + B + " TO " + A);
        try (Twin session = Twin.open(proxy, A)) {
            Outcome aRows = session.cache(own);

            session.both("BEGIN", "SET LOCAL ROLE " + B);
            assertThat(session.noHit(own)).isNotEqualTo(aRows);
            session.both("COMMIT");
            assertThat(session.hit(own)).isEqualTo(aRows);

            session.both("BEGIN", "SELECT set_config('role', '" + B + "', true)");
            assertThat(session.noHit(own)).isNotEqualTo(aRows);
            session.both("COMMIT");
            // set_config() may have changed anything, so the cache was dropped: equal, then cached again.
            assertThat(session.cache(own)).isEqualTo(aRows);
        } finally {
            proxy.admin("REVOKE " + B + " FROM " + A);
        }
    }

    static Stream<Arguments> searchPaths() {
        return Stream.of(
                arguments(named("default search_path", new String[0])),
                arguments(named("search_path = public", new String[] {"SET search_path = public"})));
    }

    /**
     * A policy reading a custom setting (app.tenant): two sessions of the same role with different
     * tenants each get their own rows, through the proxy as directly, whoever read first.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("searchPaths")
    void rowLevelSecurityByCustomSetting(String[] searchPath) throws Exception {
        String read = "/* " + searchPath.length + " */ SELECT * FROM roles_tenant ORDER BY id";
        try (Twin t1 = Twin.open(proxy, A, concat(searchPath, "SET app.tenant = 't1'"));
             Twin t2 = Twin.open(proxy, A, concat(searchPath, "SET app.tenant = 't2'"))) {
            Outcome first = t1.read(read).outcome();
            assertThat(first.size()).isEqualTo(2);
            assertThat(t1.read(read).outcome()).isEqualTo(first);

            Outcome second = t2.noHit(read);
            assertThat(second.size()).isEqualTo(1);

            // The same session switching tenant.
            t1.both("SET app.tenant = 't2'");
            assertThat(t1.noHit(read)).isEqualTo(second);
            t1.both("SET app.tenant = 'nobody'");
            assertThat(t1.noHit(read).size()).isZero();
        }
    }

    private static String[] concat(String[] first, String last) {
        String[] all = java.util.Arrays.copyOf(first, first.length + 1);
        all[first.length] = last;
        return all;
    }

    /** A policy that calls a VOLATILE function (here: it logs each row read) must run on every read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("searchPaths")
    void readThroughAPolicyWithAVolatileFunctionIsNeverCached(String[] searchPath) throws Exception {
        String read = "/* " + searchPath.length + " */ SELECT * FROM roles_audited ORDER BY id";
        try (Twin a = Twin.open(proxy, A, searchPath)) {
            var before = proxy.stats();
            a.noHit(read);
            a.noHit(read);
            proxy.since(before).assertNothingStoredOrHit(read);
        }
    }

    /** The rows that policy function writes are seen by the next read of its log, through the proxy as directly. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("searchPaths")
    void writesOfAPolicyFunctionAreSeenByTheNextRead(String[] searchPath) throws Exception {
        String log = "/* " + searchPath.length + " */ SELECT reader, count(*) FROM roles_audit_log GROUP BY 1";
        String audited = "/* " + searchPath.length + " */ SELECT v FROM roles_audited ORDER BY id";
        try (Twin a = Twin.open(proxy, A, searchPath)) {
            Outcome before = a.cache(log);
            a.read(audited);
            assertThat(a.noHit(log)).isNotEqualTo(before);
        }
    }
}

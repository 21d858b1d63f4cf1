package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What must never come from the cache: volatile and time-dependent results (also when hidden in a
 * view), and errors.
 */
@ProxyTest
class NonCacheableTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE SEQUENCE nc_seq",
                "CREATE TABLE nc_t (id int, v text)",
                "INSERT INTO nc_t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "CREATE FUNCTION nc_dice() RETURNS float8 LANGUAGE sql AS $$ SELECT random() $$",
                "CREATE VIEW nc_random_view AS SELECT random() AS r",
                "CREATE VIEW nc_clock_view AS SELECT clock_timestamp() AS t",
                "CREATE VIEW nc_now_view AS SELECT now() AS t",
                "CREATE VIEW nc_rows_random AS SELECT id, random() AS r FROM nc_t",
                "CREATE VIEW nc_dice_view AS SELECT nc_dice() AS r");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP VIEW nc_random_view, nc_clock_view, nc_now_view, nc_rows_random, nc_dice_view",
                    "DROP FUNCTION nc_dice()", "DROP TABLE nc_t", "DROP SEQUENCE nc_seq");
        } finally {
            proxy.close();
        }
    }

    static Stream<String> changing() {
        return Stream.of(
                "SELECT random()",
                "SELECT id, random() AS r FROM nc_t ORDER BY id",
                "SELECT gen_random_uuid()",
                "SELECT nc_dice()",
                "SELECT now()",
                "SELECT current_timestamp",
                "SELECT localtimestamp",
                "SELECT statement_timestamp()",
                "SELECT transaction_timestamp()",
                "SELECT clock_timestamp()",
                "SELECT timeofday()",
                "SELECT 'now'::timestamptz",
                "SELECT id, now() AS at FROM nc_t ORDER BY id",
                "SELECT * FROM nc_random_view",
                "SELECT * FROM nc_clock_view",
                "SELECT * FROM nc_now_view",
                "SELECT * FROM nc_rows_random ORDER BY id",
                "SELECT * FROM nc_dice_view",
                "SELECT * FROM public.nc_random_view");
    }

    /**
     * Each call through the proxy gives a new value, just as directly; nothing is stored or hit. The
     * shape (columns, rows) equals the direct one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("changing")
    void volatileAndTimeDependentResultsAreNeverCached(String sql) throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            CacheStats.Snapshot before = proxy.stats();
            Outcome first = session.proxiedRead(sql);
            Thread.sleep(3);
            Outcome second = session.proxiedRead(sql);
            proxy.since(before).assertNothingStoredOrHit(sql);

            Outcome direct = session.directRead(sql);
            assertThat(first.failed()).as("%s: %s", sql, first).isFalse();
            assertThat(first.columns()).isEqualTo(direct.columns());
            assertThat(first.size()).isEqualTo(direct.size());
            assertThat(second).as("two calls of %s through the proxy", sql).isNotEqualTo(first);
        }
    }

    /** nextval() advances on every call through the proxy, in step with direct calls. */
    @Test
    void nextvalAdvancesOnEveryCall() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            String sql = "SELECT nextval('nc_seq')";
            CacheStats.Snapshot before = proxy.stats();
            long first = Long.parseLong(session.proxiedRead(sql).first());
            long second = Long.parseLong(session.proxiedRead(sql).first());
            long direct = Long.parseLong(session.directRead(sql).first());
            long third = Long.parseLong(session.proxiedRead(sql).first());
            proxy.since(before).assertNothingStoredOrHit(sql);
            assertThat(java.util.List.of(second, direct, third)).containsExactly(first + 1, first + 2, first + 3);
            assertThat(Long.parseLong(session.proxiedRead("SELECT currval('nc_seq')").first())).isEqualTo(third);
        }
    }

    /** Session-dependent results: each session through the proxy gets its own backend's answer. */
    @Test
    void backendPidIsPerSession() throws Exception {
        String sql = "SELECT pg_backend_pid()";
        try (Twin one = Twin.open(proxy, USER); Twin two = Twin.open(proxy, USER)) {
            CacheStats.Snapshot before = proxy.stats();
            String a = one.proxiedRead(sql).first();
            String b = two.proxiedRead(sql).first();
            assertThat(one.proxiedRead(sql).first()).isEqualTo(a);
            proxy.since(before).assertNothingStoredOrHit(sql);
            assertThat(a).isNotEqualTo(b);
        }
    }

    static Stream<String> failing() {
        return Stream.of(
                "SELECT 1 / 0",
                "SELECT id, 10 / (id - 2) FROM nc_t ORDER BY id",
                "SELECT repeat('x', 100) || (1 / (id - 3))::text FROM nc_t ORDER BY id",
                "SELECT no_such_column FROM nc_t",
                "SELECT * FROM nc_no_such_table",
                "SELECT 'not a number'::int",
                "SELECT * FROM nc_t WHERE id = 'x'");
    }

    /** An error, even after some rows were sent, is never stored: the same text errors again, as directly. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("failing")
    void errorsAreNeverCached(String sql) throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            CacheStats.Snapshot before = proxy.stats();
            Outcome first = session.read(sql).outcome();
            Outcome second = session.read(sql).outcome();
            proxy.since(before).assertNothingStoredOrHit(sql);
            assertThat(first.failed()).isTrue();
            assertThat(second).isEqualTo(first);
            // The session still works, and caches.
            session.cache("SELECT v FROM nc_t WHERE id = 1");
        }
    }

    /** A query failing on a missing table succeeds once the table exists, created through the proxy or not. */
    @Test
    void missingTableCreatedLaterIsRead() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            for (String table : new String[] {"nc_later_proxied", "nc_later_direct"}) {
                String sql = "SELECT * FROM " + table + " ORDER BY id";
                CacheStats.Snapshot before = proxy.stats();
                assertThat(session.read(sql).outcome().sqlState()).isEqualTo("42P01");
                assertThat(session.read(sql).outcome().sqlState()).isEqualTo("42P01");
                proxy.since(before).assertNothingStoredOrHit(sql);

                String[] create = {"CREATE TABLE " + table + " (id int, v text)",
                        "INSERT INTO " + table + " VALUES (1, 'now it exists')"};
                if (table.endsWith("proxied")) {
                    session.viaProxy(create);
                } else {
                    proxy.admin(create);
                }
                Outcome rows = session.noHit(sql);
                assertThat(rows.size()).isEqualTo(1);
                assertThat(session.cache(sql)).isEqualTo(rows);
            }
        } finally {
            proxy.admin("DROP TABLE IF EXISTS nc_later_proxied, nc_later_direct");
        }
    }

    /** A missing column added directly (behind the proxy's back) is read at once: the error was not kept. */
    @Test
    void missingColumnAddedDirectlyIsRead() throws Exception {
        proxy.admin("CREATE TABLE nc_cols (id int)", "INSERT INTO nc_cols VALUES (1)");
        String sql = "SELECT id, later FROM nc_cols";
        try (Twin session = Twin.open(proxy, USER)) {
            assertThat(session.noHit(sql).sqlState()).isEqualTo("42703");
            proxy.admin("ALTER TABLE nc_cols ADD COLUMN later text DEFAULT 'added'");
            assertThat(session.noHit(sql).text()).containsExactly(java.util.List.of("1", "added"));
        } finally {
            proxy.admin("DROP TABLE nc_cols");
        }
    }

    /** A read whose result comes with a NOTICE (an IMMUTABLE function that raises one) keeps its notice every time. */
    @Test
    void resultWithANoticeIsNeverServedWithoutIt() throws Exception {
        proxy.admin("CREATE FUNCTION nc_noisy(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS"
                + " $$ BEGIN RAISE NOTICE 'noisy %', $1; RETURN $1 * 2; END $$");
        String sql = "SELECT id, nc_noisy(id) FROM nc_t ORDER BY id";
        try (Twin session = Twin.open(proxy, USER)) {
            CacheStats.Snapshot before = proxy.stats();
            for (int i = 0; i < Twin.MAX_READS_TO_STORE + 1; i++) {
                assertThat(notices(session.proxied, sql)).isEqualTo(notices(session.direct, sql))
                        .contains("noisy 3");
                assertThat(session.read(sql).outcome().size()).isEqualTo(3);
            }
            proxy.since(before).assertNoHit(sql);
        } finally {
            proxy.admin("DROP FUNCTION nc_noisy(int)");
        }
    }

    private static java.util.List<String> notices(java.sql.Connection connection, String sql) throws Exception {
        java.util.List<String> notices = new java.util.ArrayList<>();
        try (java.sql.Statement st = connection.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rs.getString(1);
            }
            for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
            }
        }
        return notices;
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.cache.stats.CacheStats;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Settings that change a result's bytes are never shared: a read cached under one setting, read under
 * another (in another session, or after the same session changed it), equals what the upstream gives
 * for that setting.
 */
@ProxyTest
class SessionSettingsTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    /** @param a the first session's setup; @param b the other setting */
    record Case(String query, String[] a, String[] b) {
    }

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin(
                "CREATE TABLE set_tz (id int, at timestamptz)",
                "INSERT INTO set_tz VALUES (1, '2024-03-10 12:00:00+00'), (2, '2024-07-01 23:30:00.5+00')",
                "CREATE SCHEMA set_one",
                "CREATE SCHEMA set_two",
                "CREATE TABLE set_one.set_same (id int, v text)",
                "CREATE TABLE set_two.set_same (id int, v text)",
                "CREATE TABLE public.set_same (id int, v text)",
                "INSERT INTO set_one.set_same VALUES (1, 'schema one')",
                "INSERT INTO set_two.set_same VALUES (2, 'schema two'), (3, 'schema two')",
                "INSERT INTO public.set_same VALUES (4, 'public')",
                "CREATE TABLE set_dates (id int, d date, ts timestamp)",
                "INSERT INTO set_dates VALUES (1, '2024-01-02', '2024-01-02 03:04:05'),"
                        + " (2, '2024-02-01', '2024-02-01 13:14:15')",
                "CREATE TABLE set_iv (id int, iv interval)",
                "INSERT INTO set_iv VALUES (1, '1 year 2 months 3 days 04:05:06.7'), (2, '-3 days 2 hours')",
                "CREATE TABLE set_bytea (id int, b bytea)",
                "INSERT INTO set_bytea VALUES (1, '\\x00017f80ff'), (2, 'plain text'::bytea)",
                "CREATE TABLE set_float (id int, f8 float8, f4 real)",
                "INSERT INTO set_float VALUES (1, 0.1::float8 + 0.2::float8, 3.14159), (2, 1e-300 / 3, 1.0 / 3)",
                "CREATE TABLE set_docs (id int, body text)",
                "INSERT INTO set_docs VALUES (1, 'The running foxes were jumping')",
                "CREATE TABLE set_strings (id int, s text)",
                "INSERT INTO set_strings VALUES (1, E'a\\\\b'), (2, E'a\\\\\\\\b')");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP SCHEMA set_one, set_two CASCADE",
                    "DROP TABLE set_tz, set_same, set_dates, set_iv, set_bytea, set_float, set_docs, set_strings");
        } finally {
            proxy.close();
        }
    }

    private static Arguments setting(String name, String query, String[] a, String[] b) {
        return arguments(named(name, new Case("/* " + name + " */ " + query, a, b)));
    }

    private static String[] of(String... statements) {
        return statements;
    }

    static Stream<Arguments> settings() {
        String tz = "SELECT id, at, at::text AS as_text, extract(hour FROM at) AS hour FROM set_tz ORDER BY id";
        String same = "SELECT * FROM set_same ORDER BY id";
        String bytea = "SELECT id, b FROM set_bytea ORDER BY id";
        return Stream.of(
                setting("TimeZone", tz, of("SET TimeZone = 'UTC'"), of("SET TimeZone = 'Asia/Kolkata'")),
                setting("TimeZone by set_config", tz, of("SET TimeZone = 'UTC'"),
                        of("SELECT set_config('TimeZone', 'America/New_York', false)")),
                setting("TimeZone, SET TIME ZONE LOCAL vs an offset", tz, of("SET TIME ZONE LOCAL"),
                        of("SET TIME ZONE INTERVAL '+05:45' HOUR TO MINUTE")),
                setting("search_path", same, of("SET search_path = set_one"), of("SET search_path = set_two")),
                setting("search_path default vs set", same, of(), of("SET search_path = set_two, public")),
                setting("search_path by set_config", same, of("SET search_path = set_one"),
                        of("SELECT set_config('search_path', 'set_two', false)")),
                setting("DateStyle (input order)", "SELECT id, d FROM set_dates WHERE d = '01/02/2024'",
                        of("SET DateStyle = 'ISO, MDY'"), of("SET DateStyle = 'ISO, DMY'")),
                setting("IntervalStyle", "SELECT id, iv FROM set_iv ORDER BY id",
                        of("SET IntervalStyle = 'postgres'"), of("SET IntervalStyle = 'iso_8601'")),
                setting("IntervalStyle sql_standard", "SELECT id, iv FROM set_iv ORDER BY id",
                        of("SET IntervalStyle = 'postgres_verbose'"), of("SET IntervalStyle = 'sql_standard'")),
                setting("bytea_output", bytea, of("SET bytea_output = 'hex'"), of("SET bytea_output = 'escape'")),
                setting("bytea_output by set_config", bytea, of("SET bytea_output = 'hex'"),
                        of("SELECT set_config('bytea_output', 'escape', false)")),
                setting("extra_float_digits", "SELECT id, f8, f4 FROM set_float ORDER BY id",
                        of("SET extra_float_digits = 3"), of("SET extra_float_digits = 0")),
                setting("extra_float_digits negative", "SELECT id, f8, f4 FROM set_float ORDER BY id",
                        of("SET extra_float_digits = 1"), of("SET extra_float_digits = -4")),
                setting("default_text_search_config", "SELECT id, to_tsvector(body) FROM set_docs ORDER BY id",
                        of("SET default_text_search_config = 'pg_catalog.english'"),
                        of("SET default_text_search_config = 'pg_catalog.simple'")),
                setting("standard_conforming_strings", "SELECT id, s FROM set_strings WHERE s = 'a\\\\b'",
                        of("SET escape_string_warning = off", "SET standard_conforming_strings = on"),
                        of("SET escape_string_warning = off", "SET standard_conforming_strings = off")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void resultCachedUnderOneSettingIsNotServedUnderAnother(Case c) throws Exception {
        try (Twin a = Twin.open(proxy, USER, c.a()); Twin b = Twin.open(proxy, USER, c.b())) {
            Outcome underA = a.cache(c.query());

            Outcome underB = b.noHit(c.query());
            assertThat(underB).as("the setting changes the result (direct)").isNotEqualTo(underA);
            assertThat(b.cache(c.query())).isEqualTo(underB);

            // The first session switches to the other setting, and back.
            a.both(c.b());
            assertThat(a.cache(c.query())).isEqualTo(underB);
            a.both(c.a().length == 0 ? new String[] {"RESET ALL"} : c.a());
            assertThat(a.cache(c.query())).isEqualTo(underA);
        }
    }

    /**
     * A query shape judged under one search_path, read with other literals after the path changed:
     * its table is resolved anew, so a write to the table it now reads drops the new entry.
     */
    @Test
    void aKnownShapeIsJudgedAgainUnderANewSearchPath() throws Exception {
        try (Twin session = Twin.open(proxy, USER, "SET search_path = set_one")) {
            session.cache("SELECT * FROM set_same WHERE id > 0 ORDER BY id");
            session.both("SET search_path = set_two");
            String read = "SELECT * FROM set_same WHERE id > 1 ORDER BY id";
            Outcome before = session.cache(read);
            session.viaProxy("UPDATE set_two.set_same SET v = 'changed' WHERE id = 3");
            assertThat(session.noHit(read)).isNotEqualTo(before);
        } finally {
            proxy.admin("UPDATE set_two.set_same SET v = 'schema two' WHERE id = 3");
        }
    }

    /** The session changes search_path through a view that calls set_config: its next reads follow the new path. */
    @Test
    void searchPathChangedByAViewIsFollowed() throws Exception {
        proxy.admin("CREATE VIEW set_one.set_go_two AS SELECT set_config('search_path', 'set_two', false) AS path");
        String read = "/* hidden set_config */ SELECT * FROM set_same ORDER BY id";
        try (Twin session = Twin.open(proxy, USER, "SET search_path = set_one")) {
            Outcome one = session.cache(read);
            session.both("SELECT * FROM set_go_two");
            Outcome two = session.noHit(read);
            assertThat(two).isNotEqualTo(one);
        } finally {
            proxy.admin("DROP VIEW set_one.set_go_two");
        }
    }

    /**
     * DateStyle output (pgjdbc insists on ISO, so over raw sockets): cached under ISO, read under SQL,
     * German and Postgres styles in the same session, each equal to a direct session doing the same.
     */
    @Test
    void dateStyleOutputIsNotShared() throws Exception {
        String read = "SELECT id, d, ts FROM set_dates ORDER BY id";
        try (RawSession proxied = RawSession.open(proxy.port());
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            List<String> iso = both(proxied, direct, "SET DateStyle = 'ISO, MDY'", read);
            both(proxied, direct, null, read);
            CacheStats.Snapshot before = proxy.stats();
            assertThat(both(proxied, direct, null, read)).isEqualTo(iso);
            proxy.since(before).assertHit(read);

            for (String style : new String[] {"SQL, DMY", "German", "Postgres, MDY", "SQL, MDY"}) {
                before = proxy.stats();
                List<String> styled = both(proxied, direct, "SET DateStyle = '" + style + "'", read);
                proxy.since(before).assertNoHit(read + " under DateStyle " + style);
                assertThat(RawSession.rows(styled)).as(style).isNotEqualTo(RawSession.rows(iso));
            }
        }
    }

    /**
     * search_path (not reported by ParameterStatus) changed through the extended protocol, then a
     * simple-protocol read: the new path's table, as directly.
     */
    @Test
    void settingChangedThroughTheExtendedProtocolIsFollowed() throws Exception {
        String read = "/* extended */ SELECT * FROM set_same ORDER BY id";
        try (RawSession proxied = RawSession.open(proxy.port());
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            List<String> one = both(proxied, direct, "SET search_path = set_one", read);
            both(proxied, direct, null, read);
            CacheStats.Snapshot before = proxy.stats();
            assertThat(both(proxied, direct, null, read)).isEqualTo(one);
            proxy.since(before).assertHit(read);

            assertThat(proxied.extended("SET search_path = set_two")).isEqualTo(direct.extended("SET search_path = set_two"));
            before = proxy.stats();
            List<String> two = both(proxied, direct, null, read);
            proxy.since(before).assertNoHit(read);
            assertThat(RawSession.rows(two)).isNotEqualTo(RawSession.rows(one));

            assertThat(proxied.extended("SELECT set_config('search_path', 'set_one', false)"))
                    .isEqualTo(direct.extended("SELECT set_config('search_path', 'set_one', false)"));
            assertThat(both(proxied, direct, null, read)).isEqualTo(one);
        }
    }

    /** Runs {@code setup} (if any) then {@code read} in both raw sessions; asserts the same bytes; returns them. */
    private static List<String> both(RawSession proxied, RawSession direct, String setup, String read)
            throws Exception {
        if (setup != null) {
            assertThat(proxied.query(setup)).isEqualTo(direct.query(setup));
        }
        List<String> viaProxy = proxied.query(read);
        List<String> viaDirect = direct.query(read);
        assertThat(viaProxy).as("%s through the proxy (left) vs direct (right)", read).isEqualTo(viaDirect);
        return viaProxy;
    }
}

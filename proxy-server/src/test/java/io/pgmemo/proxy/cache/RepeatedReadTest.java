package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A repeated read is answered from the cache with exactly what the upstream gives the same session,
 * for every column type; another session of the same user and settings is answered from it too.
 */
@ProxyTest
class RepeatedReadTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin(
                "CREATE TYPE rr_mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TYPE rr_pair AS (a int, b text)",
                "CREATE DOMAIN rr_positive AS int CHECK (VALUE > 0)",
                "CREATE TABLE rr_types (id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric(30,10), f4 real,"
                        + " f8 double precision, b boolean, t text, vc varchar(20), ch char(5), by bytea, d date,"
                        + " ts timestamp, tstz timestamptz, tm time, tmtz timetz, iv interval, j json, jb jsonb,"
                        + " u uuid, ia int[], ta text[], ip inet, net cidr, mac macaddr, pt point, nr numrange,"
                        + " tsv tsvector, bits bit(8), vbits varbit, mood rr_mood, pair rr_pair, pos rr_positive,"
                        + " nm name, o oid, money_v money)",
                "INSERT INTO rr_types VALUES"
                        + " (1, 32767, 9223372036854775807, 12345678901234567890.0123456789, 3.14159, 0.1 + 0.2, true,"
                        + "  'héllo ☃ \"quoted\" ''single''' || chr(9) || 'tab', 'varchar', 'ab', '\\x00ff10',"
                        + "  '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.123456+05:30',"
                        + "  '23:59:59.999999', '12:00:00+02', '1 year 2 mons 3 days 04:05:06.789', '{\"a\": [1, 2]}',"
                        + "  '{\"b\": {\"c\": null}, \"a\": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2,NULL,4}',"
                        + "  '{\"a b\",NULL,\"c,d\"}', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '(1.5,-2)',"
                        + "  '[1.5,3)', 'the quick brown fox', B'10101010', B'101', 'happy', ROW(1, 'x y'), 7,"
                        + "  'a_name', 4242, 12.34),"
                        + " (2, -32768, -1, -0.0000000001, 'NaN', '-Infinity', false, '', '', '', '', 'infinity',"
                        + "  '-infinity', '1999-12-31 23:59:59', '00:00', '00:00+00', '-1 days', '[]', '[]',"
                        + "  '00000000-0000-0000-0000-000000000000', '{}', '{}', '::1', '::/0', 'ff:ff:ff:ff:ff:ff',"
                        + "  '(0,0)', 'empty', '', B'00000000', B'', 'sad', ROW(NULL, NULL), 1, '', 0, -0.01),"
                        + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                        + "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                        + "  NULL, NULL, NULL, NULL, NULL, NULL)",
                "CREATE TABLE rr_many AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 2000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE rr_types, rr_many", "DROP TYPE rr_pair", "DROP TYPE rr_mood",
                    "DROP DOMAIN rr_positive");
        } finally {
            proxy.close();
        }
    }

    static Stream<String> columns() {
        return Stream.of("i2", "i8", "n", "f4", "f8", "b", "t", "vc", "ch", "by", "d", "ts", "tstz", "tm", "tmtz",
                "iv", "j", "jb", "u", "ia", "ta", "ip", "net", "mac", "pt", "nr", "tsv", "bits", "vbits", "mood",
                "pair", "pos", "nm", "o", "money_v");
    }

    /** One column of each type, NULL and edge values included: stored on the first read, hit on the next. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("columns")
    void repeatedReadOfEachTypeIsAHitEqualToDirect(String column) throws Exception {
        String sql = "SELECT id, " + column + " FROM rr_types ORDER BY id";
        Outcome first;
        try (Twin session = Twin.open(proxy, USER)) {
            first = session.cache(sql);
        }
        assertThat(first.size()).isEqualTo(3);
        try (Twin another = Twin.open(proxy, USER)) {
            assertThat(another.hit(sql)).isEqualTo(first);
        }
    }

    static Stream<String> queryShapes() {
        return Stream.of(
                "SELECT * FROM rr_types ORDER BY id",
                "SELECT * FROM rr_many ORDER BY id",
                "SELECT count(*), sum(id), max(h) FROM rr_many",
                "SELECT a.id, b.h FROM rr_types a JOIN rr_many b ON b.id = a.id ORDER BY 1",
                "TABLE rr_types",
                "VALUES (1, 'one'), (2, NULL)",
                "SELECT 42 AS answer, 'text' AS label",
                "SELECT * FROM rr_types WHERE false",
                "SELECT FROM rr_types",
                "select id\n  from rr_types -- a comment\n where id > 1 order by id;",
                "WITH x AS (SELECT id FROM rr_many WHERE id % 500 = 0) SELECT * FROM x ORDER BY id",
                "SELECT id, h FROM rr_many ORDER BY id DESC LIMIT 5 OFFSET 3",
                "SELECT upper(t), length(t), to_char(ts, 'YYYY Mon DD') FROM rr_types ORDER BY id");
    }

    /** Query shapes: many rows, empty, zero columns, constants, comments and a trailing semicolon. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("queryShapes")
    void repeatedQueryShapeIsAHitEqualToDirect(String sql) throws Exception {
        Outcome first;
        try (Twin session = Twin.open(proxy, USER)) {
            first = session.cache(sql);
            assertThat(session.hit(sql)).isEqualTo(first);
        }
        try (Twin another = Twin.open(proxy, USER)) {
            assertThat(another.hit(sql)).isEqualTo(first);
        }
    }

    /** application_name does not change results: a session with another one hits the same entry. */
    @Test
    void anotherApplicationNameSharesTheEntry() throws Exception {
        String sql = "SELECT id, h FROM rr_many WHERE id BETWEEN 10 AND 20 ORDER BY id";
        Outcome cached;
        try (Twin session = Twin.open(proxy, USER)) {
            cached = session.cache(sql);
        }
        try (Twin other = Twin.open(proxy, USER, "SET application_name = 'another application'")) {
            assertThat(other.hit(sql)).isEqualTo(cached);
        }
    }

    /** The same text differing only in case or spacing is another entry, still right. */
    @Test
    void differentTextIsADifferentEntry() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            Outcome a = session.cache("SELECT id FROM rr_many WHERE id < 4 ORDER BY id");
            Outcome b = session.noHit("SELECT id FROM rr_many WHERE id < 4 ORDER BY id ");
            Outcome c = session.noHit("SELECT id FROM rr_many WHERE id < 5 ORDER BY id");
            assertThat(b).isEqualTo(a);
            assertThat(c.size()).isEqualTo(4);
        }
    }

    /** Another user with the same settings never gets the first user's entry. */
    @Test
    void anotherUserDoesNotShareTheEntry() throws Exception {
        proxy.admin("CREATE TABLE rr_shared (id int)", "INSERT INTO rr_shared VALUES (1), (2)",
                "GRANT SELECT ON rr_shared TO " + PgEnvironment.SCRAM_USER);
        try {
            String sql = "SELECT id, current_user FROM rr_shared ORDER BY id";
            try (Twin postgres = Twin.open(proxy, USER)) {
                postgres.cache(sql);
            }
            // scram_user logs in with a password through the proxy just as directly.
            try (Twin other = Twin.openWithPassword(proxy, PgEnvironment.SCRAM_USER, PgEnvironment.SCRAM_PASSWORD)) {
                Outcome theirs = other.noHit(sql);
                assertThat(theirs.text().get(0).get(1)).isEqualTo(PgEnvironment.SCRAM_USER);
                assertThat(other.cache(sql)).isEqualTo(theirs);
            }
        } finally {
            proxy.admin("DROP TABLE rr_shared");
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded random mix over several sessions, one statement at a time: reads from a small pool (so
 * they repeat and are served from the cache), writes through the proxy in and out of transaction
 * blocks, GRANT, REVOKE, ALTER POLICY and CREATE OR REPLACE VIEW, temporary tables that shadow a
 * table, and changes of role, search_path, TimeZone, IntervalStyle and extra_float_digits (pgJDBC
 * insists on DateStyle ISO). Every read through the proxy must equal its twin's read straight from
 * PostgreSQL, and enough of them must be hits for the serving path to be what is checked. The shared
 * differential tester rarely gets hits (its state check calls a VOLATILE function, which empties the
 * cache); here a fifth to a quarter of the reads hit, over each protocol.
 */
@ProxyTest
class RandomServingTest {
    private static final String ADMIN = PgEnvironment.SUPERUSER;
    private static final String ALICE = "serve_alice";
    private static final String BOB = "serve_bob";
    private static final int SESSIONS = 4;
    private static final int STEPS = 1000;

    /** Unqualified names resolve by search_path: serve_a.items and serve_b.items differ. */
    private static final List<String> READS = List.of(
            "SELECT id, owner, v FROM items ORDER BY id",
            "SELECT count(*), sum(v) FROM items",
            "SELECT id, at FROM items WHERE id <= 4 ORDER BY id",
            "SELECT id, at - timestamptz '2024-01-01 00:00+00' AS since FROM items WHERE id <= 4 ORDER BY id",
            "SELECT id, v / 3.0::float8 AS third FROM items ORDER BY id",
            "SELECT owner, total FROM serve_a.totals ORDER BY owner",
            "SELECT owner, count(*) FROM serve_a.items GROUP BY owner ORDER BY owner",
            "SELECT v FROM items WHERE id = 3",
            "SELECT id, at::date FROM serve_b.items ORDER BY id",
            "SELECT i.id, o.v FROM serve_a.items i JOIN serve_b.items o USING (id) ORDER BY i.id",
            "TABLE serve_b.items ORDER BY id");

    /**
     * Whole session states a session switches between: few enough that reads repeat within one, and
     * each differing from the first (or, for Bob, from Alice's) in one setting that changes what the
     * same text returns, so that a key missing that setting would serve one state's result to another.
     */
    private static final List<String[]> PROFILES = List.of(
            profile("RESET ROLE", "serve_a", "UTC", "postgres", 1),
            profile("RESET ROLE", "serve_a", "Asia/Kolkata", "postgres", 1),
            profile("RESET ROLE", "serve_b, serve_a", "UTC", "postgres", 1),
            profile("SET ROLE " + ALICE, "serve_a", "UTC", "postgres", 1),
            profile("SET ROLE " + BOB, "serve_a", "UTC", "postgres", 1),
            profile("RESET ROLE", "serve_a", "UTC", "iso_8601", 1),
            profile("RESET ROLE", "serve_a", "UTC", "postgres", 0));

    /** Through the proxy, by whichever role the session has: privileges, a policy and a view change. */
    private static final List<String> SCHEMA_CHANGES = List.of(
            "GRANT SELECT ON serve_b.items TO " + BOB,
            "REVOKE SELECT ON serve_b.items FROM " + BOB,
            "ALTER POLICY serve_own ON serve_a.items USING (owner = current_user OR v > 50)",
            "ALTER POLICY serve_own ON serve_a.items USING (owner = current_user)",
            "CREATE OR REPLACE VIEW serve_a.totals AS SELECT owner, sum(v) AS total FROM serve_a.items GROUP BY owner",
            "CREATE OR REPLACE VIEW serve_a.totals AS SELECT owner, max(v) AS total FROM serve_a.items GROUP BY owner");

    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin(
                "CREATE ROLE " + ALICE, "CREATE ROLE " + BOB,
                "CREATE SCHEMA serve_a", "CREATE SCHEMA serve_b",
                "GRANT USAGE ON SCHEMA serve_a, serve_b TO " + ALICE + ", " + BOB,
                "CREATE TABLE serve_a.items (id int PRIMARY KEY, owner name, v int, at timestamptz)",
                "INSERT INTO serve_a.items SELECT g, CASE WHEN g % 2 = 0 THEN '" + ALICE + "' ELSE '" + BOB
                        + "' END, g * 10, timestamptz '2024-03-10 01:30+00' + g * interval '7 hours'"
                        + " FROM generate_series(1, 8) g",
                "ALTER TABLE serve_a.items ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY serve_own ON serve_a.items USING (owner = current_user)",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON serve_a.items TO " + ALICE + ", " + BOB,
                "CREATE TABLE serve_b.items (id int PRIMARY KEY, owner name, v int, at timestamptz)",
                "INSERT INTO serve_b.items SELECT g, 'nobody', g, timestamptz '2024-11-03 05:30+00'"
                        + " + g * interval '1 hour' FROM generate_series(1, 6) g",
                "GRANT SELECT, UPDATE ON serve_b.items TO " + ALICE,
                // A view reads with its owner's rights: no row-level security, whoever asks.
                "CREATE VIEW serve_a.totals AS SELECT owner, sum(v) AS total FROM serve_a.items GROUP BY owner",
                "GRANT SELECT ON serve_a.totals TO " + BOB);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP SCHEMA serve_a, serve_b CASCADE", "DROP OWNED BY " + ALICE + ", " + BOB,
                    "DROP ROLE " + ALICE, "DROP ROLE " + BOB);
        } finally {
            proxy.close();
        }
    }

    static Stream<Arguments> runs() {
        return Stream.of(QueryMode.values()).flatMap(mode -> LongStream.rangeClosed(1, 2)
                .mapToObj(seed -> Arguments.of(mode, seed)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("runs")
    void everyReadEqualsTheUpstreamsAndManyAreServed(QueryMode mode, long seed) throws Exception {
        Random random = new Random(seed);
        List<Twin> twins = new ArrayList<>();
        long hits = 0;
        long reads = 0;
        try {
            for (int i = 0; i < SESSIONS; i++) {
                twins.add(Twin.open(proxy, mode, ADMIN, null, PROFILES.get(0)));
            }
            for (int step = 0; step < STEPS; step++) {
                Twin twin = twins.get(random.nextInt(SESSIONS));
                int dice = random.nextInt(100);
                if (dice < 80) {
                    hits += twin.read(pick(random, READS)).delta().hits();
                    reads++;
                } else if (dice < 86) {
                    writeQuietly(twin, write(random));
                } else if (dice < 88) {
                    transaction(twin, random);
                } else if (dice < 89) {
                    writeQuietly(twin, pick(random, SCHEMA_CHANGES));
                } else if (dice < 90) {
                    withTemporaryTable(twin, random);
                } else {
                    twin.both(pick(random, PROFILES));
                }
            }
        } finally {
            for (Twin twin : twins) {
                twin.close();
            }
        }
        // A fifth to a quarter of the reads are hits with these seeds; a write empties what it touched.
        assertThat(hits).as("hits among %d reads", reads).isGreaterThan(reads / 8);
    }

    /** Writes through the proxy, committed or rolled back; no read is compared while it is open. */
    private static void transaction(Twin twin, Random random) throws SQLException {
        twin.viaProxy("BEGIN");
        writeQuietly(twin, write(random));
        // A read inside the block goes upstream and must not be stored for others.
        Outcome.of(twin.proxied, pick(random, READS));
        twin.viaProxy(random.nextBoolean() ? "COMMIT" : "ROLLBACK");
    }

    private static String write(Random random) {
        int id = 1 + random.nextInt(10);
        return switch (random.nextInt(5)) {
            case 0 -> "UPDATE items SET v = v + 1 WHERE id = " + id;
            case 1 -> "INSERT INTO serve_a.items VALUES (" + id + ", current_user, " + random.nextInt(100)
                    + ", now()) ON CONFLICT (id) DO UPDATE SET v = excluded.v";
            case 2 -> "DELETE FROM serve_a.items WHERE id = " + id;
            case 3 -> "UPDATE serve_b.items SET at = at + interval '90 minutes' WHERE id = " + id;
            default -> "WITH moved AS (UPDATE serve_a.items SET v = -v WHERE id = " + id
                    + " RETURNING id) SELECT count(*) FROM moved";
        };
    }

    /**
     * For a few reads, a temporary table in both sessions of the twin that unqualified reads of items
     * find first (unless the role of the moment may not create one: then neither may). Writes go
     * through the proxy only, so none is made meanwhile: the twin's own table would not see it.
     */
    private static void withTemporaryTable(Twin twin, Random random) {
        if (bothAlike(twin, "CREATE TEMP TABLE items (id int, owner name, v int, at timestamptz)") != null) {
            return;
        }
        bothAlike(twin, "INSERT INTO pg_temp.items VALUES (1, 'temp', 7, '2024-06-01 12:00+00')");
        for (int i = 0; i < 3; i++) {
            twin.read(pick(random, READS));
        }
        bothAlike(twin, "DROP TABLE pg_temp.items");
    }

    /** Runs the statement in both sessions, which must succeed or fail alike; the SQLSTATE or null. */
    private static String bothAlike(Twin twin, String sql) {
        String failed = execute(twin.proxied, sql);
        assertThat(failed).as("%s through the proxy (left) vs direct (right)", sql)
                .isEqualTo(execute(twin.direct, sql));
        return failed;
    }

    /** The SQLSTATE the statement failed with, or null. */
    private static String execute(Connection connection, String sql) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    /** A write that fails (no privilege, a row another role owns) fails the same way directly. */
    private static void writeQuietly(Twin twin, String sql) {
        // In a transaction block a failure aborts it; the caller's COMMIT or ROLLBACK ends it.
        execute(twin.proxied, sql);
    }

    private static String[] profile(String role, String searchPath, String timeZone, String intervalStyle,
                                    int extraFloatDigits) {
        return new String[] {role, "SET search_path = " + searchPath, "SET TimeZone = '" + timeZone + "'",
            "SET IntervalStyle = '" + intervalStyle + "'", "SET extra_float_digits = " + extraFloatDigits};
    }

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}

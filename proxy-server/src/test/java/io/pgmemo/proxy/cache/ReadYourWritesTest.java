package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * Read-your-writes through the proxy: a read is cached (and hit), the session writes through the proxy
 * in one of many forms, and the same read then equals what the upstream gives, never the cached value.
 */
@ProxyTest
class ReadYourWritesTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @FunctionalInterface
    interface Write {
        void run(Twin session) throws Exception;
    }

    /**
     * @param fixture run directly before the reads are cached
     * @param reads   cached before the write, compared after it
     * @param changes whether the write changes what the reads return (false: it is rolled back)
     */
    record Case(List<String> fixture, List<String> reads, Write write, boolean changes) {
    }

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP SCHEMA IF EXISTS ryw_schema CASCADE", "DO $$ DECLARE r record; BEGIN"
                    + " FOR r IN SELECT quote_ident(c.relname) AS name, c.relkind FROM pg_class c"
                    + "  WHERE c.relname LIKE 'ryw\\_%' AND c.relnamespace = 'public'::regnamespace"
                    + "  AND c.relkind IN ('r', 'v', 'm') LOOP"
                    + "  EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE r.relkind WHEN 'v' THEN 'VIEW'"
                    + "   WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);"
                    + " END LOOP;"
                    + " FOR r IN SELECT p.oid::regprocedure AS sig, p.prokind FROM pg_proc p"
                    + "  WHERE p.proname LIKE 'ryw\\_%' LOOP"
                    + "  EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE r.prokind WHEN 'p' THEN 'PROCEDURE'"
                    + "   ELSE 'FUNCTION' END, r.sig);"
                    + " END LOOP; END $$");
        } finally {
            proxy.close();
        }
    }

    /** CREATE TABLE name (id int PRIMARY KEY, v text) with rows (1,a), (2,b), (3,c). */
    private static List<String> table(String name) {
        return List.of("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)",
                "INSERT INTO " + name + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    }

    private static List<String> with(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** A table, a function that updates it, and {@code name_view}, a view that calls that function. */
    private static List<String> hiddenWrite(String name) {
        return with(table(name), "CREATE FUNCTION " + name + "_touch() RETURNS int LANGUAGE plpgsql AS"
                        + " $$ BEGIN UPDATE " + name + " SET v = 'touched'; RETURN 1; END $$",
                "CREATE VIEW " + name + "_view AS SELECT " + name + "_touch() AS touched");
    }

    private static String all(String table) {
        return "SELECT * FROM " + table + " ORDER BY id";
    }

    private static Write sql(String... statements) {
        return session -> session.viaProxy(statements);
    }

    /** A statement that returns rows (pgjdbc's executeQuery), consumed to the end. */
    private static Write query(String sql) {
        return session -> {
            try (Statement st = session.proxied.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
        };
    }

    private static Arguments write(String name, List<String> fixture, String read, Write write) {
        return arguments(named(name, new Case(fixture, List.of(read), write, true)));
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                write("INSERT", table("ryw_insert"), all("ryw_insert"),
                        sql("INSERT INTO ryw_insert VALUES (4, 'd')")),
                write("UPDATE", table("ryw_update"), all("ryw_update"),
                        sql("UPDATE ryw_update SET v = 'B' WHERE id = 2")),
                write("DELETE", table("ryw_delete"), all("ryw_delete"),
                        sql("DELETE FROM ryw_delete WHERE id = 1")),
                write("UPDATE ... RETURNING", table("ryw_returning"), all("ryw_returning"),
                        query("UPDATE ryw_returning SET v = 'r' WHERE id = 3 RETURNING *")),
                write("INSERT ... ON CONFLICT DO UPDATE", table("ryw_upsert"), all("ryw_upsert"),
                        sql("INSERT INTO ryw_upsert VALUES (2, 'x'), (5, 'e') ON CONFLICT (id)"
                                + " DO UPDATE SET v = excluded.v")),
                write("MERGE", table("ryw_merge"), all("ryw_merge"),
                        sql("MERGE INTO ryw_merge t USING (VALUES (2, 'm'), (9, 'n')) s(id, v) ON t.id = s.id"
                                + " WHEN MATCHED THEN UPDATE SET v = s.v"
                                + " WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)")),
                write("TRUNCATE", table("ryw_truncate"), all("ryw_truncate"), sql("TRUNCATE ryw_truncate")),
                write("COPY FROM STDIN (CopyManager)", table("ryw_copy"), all("ryw_copy"), session -> {
                    long rows = session.proxied.unwrap(PGConnection.class).getCopyAPI()
                            .copyIn("COPY ryw_copy FROM STDIN", new StringReader("5\te\n6\t\\N\n"));
                    assertThat(rows).isEqualTo(2);
                }),
                write("ALTER TABLE ADD COLUMN, then SELECT *", table("ryw_addcol"), all("ryw_addcol"),
                        sql("ALTER TABLE ryw_addcol ADD COLUMN extra int DEFAULT 7")),
                write("ALTER TABLE ALTER COLUMN TYPE", table("ryw_alttype"), all("ryw_alttype"),
                        sql("ALTER TABLE ryw_alttype ALTER COLUMN id TYPE numeric(6,2)")),
                write("DROP TABLE and CREATE it again (one multi-statement query)", table("ryw_recreate"),
                        all("ryw_recreate"), sql("DROP TABLE ryw_recreate; CREATE TABLE ryw_recreate"
                                + " (id int, v text); INSERT INTO ryw_recreate VALUES (9, 'z')")),
                write("CREATE OR REPLACE VIEW", with(table("ryw_replbase"),
                                "CREATE VIEW ryw_replview AS SELECT id, v FROM ryw_replbase"), all("ryw_replview"),
                        sql("CREATE OR REPLACE VIEW ryw_replview AS SELECT id * 10 AS id, upper(v) AS v"
                                + " FROM ryw_replbase")),
                write("data-modifying CTE: WITH d AS (DELETE ... RETURNING *) SELECT", table("ryw_ctedel"),
                        all("ryw_ctedel"),
                        query("WITH d AS (DELETE FROM ryw_ctedel WHERE id = 1 RETURNING *) SELECT count(*) FROM d")),
                write("data-modifying CTE: WITH i AS (INSERT ... RETURNING) SELECT", table("ryw_cteins"),
                        all("ryw_cteins"),
                        query("WITH i AS (INSERT INTO ryw_cteins VALUES (4, 'd') RETURNING id) SELECT id FROM i")),
                write("SELECT of a VOLATILE plpgsql function that writes", with(table("ryw_fn"),
                                "CREATE FUNCTION ryw_fn_touch() RETURNS int LANGUAGE plpgsql AS"
                                        + " $$ BEGIN UPDATE ryw_fn SET v = v || '!'; RETURN 1; END $$"),
                        all("ryw_fn"), query("SELECT ryw_fn_touch()")),
                write("VOLATILE writing function called in a WHERE clause", with(table("ryw_fnwhere"),
                                "CREATE FUNCTION ryw_fnwhere_touch() RETURNS int LANGUAGE plpgsql AS"
                                        + " $$ BEGIN DELETE FROM ryw_fnwhere WHERE id = 2; RETURN 1; END $$"),
                        all("ryw_fnwhere"), query("SELECT 1 AS one WHERE ryw_fnwhere_touch() = 1")),
                write("CALL of a procedure that writes", with(table("ryw_proc"),
                                "CREATE PROCEDURE ryw_proc_del() LANGUAGE sql AS $$ DELETE FROM ryw_proc WHERE id = 3 $$"),
                        all("ryw_proc"), sql("CALL ryw_proc_del()")),
                write("DO block that writes", table("ryw_do"), all("ryw_do"),
                        sql("DO $$ BEGIN INSERT INTO ryw_do VALUES (4, 'do'); END $$")),
                write("UPDATE in an explicit transaction, then COMMIT", table("ryw_commit"), all("ryw_commit"),
                        session -> {
                            session.proxied.setAutoCommit(false);
                            try (Statement st = session.proxied.createStatement()) {
                                st.executeUpdate("UPDATE ryw_commit SET v = 'committed' WHERE id = 1");
                                st.executeUpdate("INSERT INTO ryw_commit VALUES (7, 'g')");
                            }
                            session.proxied.commit();
                            session.proxied.setAutoCommit(true);
                        }),
                write("BEGIN; UPDATE; COMMIT in one simple Query", table("ryw_onequery"), all("ryw_onequery"),
                        sql("BEGIN; UPDATE ryw_onequery SET v = 'one query' WHERE id = 2; COMMIT")),
                write("BEGIN, UPDATE, COMMIT as separate queries", table("ryw_separate"), all("ryw_separate"),
                        sql("BEGIN", "DELETE FROM ryw_separate WHERE id = 2", "COMMIT")),
                arguments(named("UPDATE in an explicit transaction, then ROLLBACK", new Case(table("ryw_rollback"),
                        List.of(all("ryw_rollback")), session -> {
                            session.proxied.setAutoCommit(false);
                            try (Statement st = session.proxied.createStatement()) {
                                st.executeUpdate("UPDATE ryw_rollback SET v = 'rolled back' WHERE id = 1");
                            }
                            session.proxied.rollback();
                            session.proxied.setAutoCommit(true);
                        }, false))),
                arguments(named("INSERT through an updatable view (base table and view read)", new Case(
                        with(table("ryw_vbase"), "CREATE VIEW ryw_view AS SELECT id, v FROM ryw_vbase WHERE id < 100"),
                        List.of(all("ryw_vbase"), all("ryw_view")),
                        sql("INSERT INTO ryw_view VALUES (4, 'through the view')"), true))),
                arguments(named("trigger writing a side table, which is read", new Case(
                        with(table("ryw_trg"), "CREATE TABLE ryw_trg_log (id int, op text)",
                                "CREATE FUNCTION ryw_trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                                        + " INSERT INTO ryw_trg_log VALUES (NEW.id, TG_OP); RETURN NEW; END $$",
                                "CREATE TRIGGER ryw_trg_t AFTER INSERT OR UPDATE ON ryw_trg"
                                        + " FOR EACH ROW EXECUTE FUNCTION ryw_trg_fn()"),
                        List.of("SELECT * FROM ryw_trg_log ORDER BY id", "SELECT count(*) FROM ryw_trg_log"),
                        sql("INSERT INTO ryw_trg VALUES (4, 'd')"), true))),
                write("INSERT whose column default calls a function that writes the table read",
                        with(table("ryw_defread"), "CREATE FUNCTION ryw_defread_touch() RETURNS int LANGUAGE sql AS"
                                        + " $$ UPDATE ryw_defread SET v = 'by default' RETURNING 1 $$",
                                "CREATE TABLE ryw_defwrite (id int, n int DEFAULT ryw_defread_touch())"),
                        all("ryw_defread"), sql("INSERT INTO ryw_defwrite (id) VALUES (1)")),
                write("UPDATE whose CHECK constraint calls a function that writes the table read",
                        with(table("ryw_chkread"), "CREATE FUNCTION ryw_chkread_touch(int) RETURNS boolean"
                                        + " LANGUAGE plpgsql AS $$ BEGIN DELETE FROM ryw_chkread WHERE id = $1;"
                                        + " RETURN true; END $$",
                                "CREATE TABLE ryw_chkwrite (id int CHECK (ryw_chkread_touch(id)))"),
                        all("ryw_chkread"), sql("INSERT INTO ryw_chkwrite VALUES (2)")),
                write("DELETE cascading to a referencing table, which is read",
                        with(table("ryw_parent"), "CREATE TABLE ryw_child (id int REFERENCES ryw_parent (id)"
                                + " ON DELETE CASCADE)", "INSERT INTO ryw_child VALUES (1), (2)"),
                        "SELECT * FROM ryw_child ORDER BY id", sql("DELETE FROM ryw_parent WHERE id = 1")),
                write("UPDATE through a partitioned table, partition read",
                        List.of("CREATE TABLE ryw_part (id int, v text) PARTITION BY RANGE (id)",
                                "CREATE TABLE ryw_part_low PARTITION OF ryw_part FOR VALUES FROM (0) TO (10)",
                                "INSERT INTO ryw_part VALUES (1, 'a'), (2, 'b')"),
                        all("ryw_part_low"), sql("UPDATE ryw_part SET v = 'parent' WHERE id = 1")),
                write("INSERT into a partition, partitioned table read",
                        List.of("CREATE TABLE ryw_part2 (id int, v text) PARTITION BY RANGE (id)",
                                "CREATE TABLE ryw_part2_low PARTITION OF ryw_part2 FOR VALUES FROM (0) TO (10)",
                                "INSERT INTO ryw_part2 VALUES (1, 'a')"),
                        all("ryw_part2"), sql("INSERT INTO ryw_part2_low VALUES (3, 'child')")),
                write("INSERT into an inheritance child, parent read",
                        List.of("CREATE TABLE ryw_inh (id int, v text)", "CREATE TABLE ryw_inh_child () INHERITS (ryw_inh)",
                                "INSERT INTO ryw_inh VALUES (1, 'a')"),
                        all("ryw_inh"), sql("INSERT INTO ryw_inh_child VALUES (2, 'child')")),
                write("UPDATE of a table named through search_path, read schema-qualified",
                        List.of("CREATE SCHEMA IF NOT EXISTS ryw_schema", "CREATE TABLE ryw_schema.ryw_sp (id int, v text)",
                                "INSERT INTO ryw_schema.ryw_sp VALUES (1, 'a')"),
                        "SELECT * FROM ryw_schema.ryw_sp ORDER BY id", session -> {
                            session.both("SET search_path = ryw_schema, public");
                            session.viaProxy("UPDATE ryw_sp SET v = 'through search_path'");
                        }),
                write("EXPLAIN ANALYZE DELETE (runs the DELETE)", table("ryw_explain"), all("ryw_explain"),
                        sql("EXPLAIN ANALYZE DELETE FROM ryw_explain WHERE id = 2")),
                write("PREPARE and EXECUTE of an UPDATE", table("ryw_prepare"), all("ryw_prepare"),
                        sql("PREPARE ryw_p AS UPDATE ryw_prepare SET v = 'prepared' WHERE id = $1",
                                "EXECUTE ryw_p(1)", "DEALLOCATE ryw_p")),
                write("REFRESH MATERIALIZED VIEW", with(table("ryw_mvbase"),
                                "CREATE MATERIALIZED VIEW ryw_mv AS SELECT id, v FROM ryw_mvbase"), all("ryw_mv"),
                        session -> {
                            // The base table changes behind the proxy's back: the view does not change yet.
                            proxy.admin("INSERT INTO ryw_mvbase VALUES (4, 'mv')");
                            session.viaProxy("REFRESH MATERIALIZED VIEW ryw_mv");
                        }),
                write("UPDATE by another session through the proxy (simple protocol)", table("ryw_other"),
                        all("ryw_other"), session -> {
                            try (Connection other = proxy.connect(USER); Statement st = other.createStatement()) {
                                st.executeUpdate("UPDATE ryw_other SET v = 'other' WHERE id = 3");
                            }
                        }),
                write("UPDATE by another session through the proxy (extended protocol, named statement)",
                        table("ryw_extended"), all("ryw_extended"), session -> {
                            Properties extended = QueryMode.EXTENDED_BINARY.properties();
                            try (Connection other = PgEnvironment.connect(proxy.port(), extended);
                                 PreparedStatement ps = other.prepareStatement(
                                         "UPDATE ryw_extended SET v = ? WHERE id = ?")) {
                                ps.setString(1, "extended");
                                ps.setInt(2, 1);
                                assertThat(ps.executeUpdate()).isEqualTo(1);
                            }
                        }),
                write("SELECT from a view whose definition calls a VOLATILE writing function",
                        hiddenWrite("ryw_hidden"), all("ryw_hidden"), query("SELECT * FROM ryw_hidden_view")),
                write("SELECT from such a view inside a transaction block, then COMMIT", hiddenWrite("ryw_hidtx"),
                        all("ryw_hidtx"), sql("BEGIN", "SELECT * FROM ryw_hidtx_view", "COMMIT")),
                write("FETCH from a cursor over such a view inside a transaction block, then COMMIT",
                        hiddenWrite("ryw_hidcur"), all("ryw_hidcur"), sql("BEGIN",
                                "DECLARE ryw_cur CURSOR FOR SELECT * FROM ryw_hidcur_view", "FETCH ALL FROM ryw_cur",
                                "COMMIT")),
                write("SELECT of now() from such a view (not cacheable for time, so judged by its words)",
                        hiddenWrite("ryw_hidnow"), all("ryw_hidnow"), query("SELECT now(), * FROM ryw_hidnow_view")),
                write("SELECT from such a view in a transaction by another session (extended protocol)",
                        hiddenWrite("ryw_hidext"), all("ryw_hidext"),
                        session -> readInExtendedTransaction("SELECT * FROM ryw_hidext_view")),
                write("SELECT using a user-defined operator whose function writes", with(table("ryw_op"),
                                "CREATE FUNCTION ryw_op_touch(int, int) RETURNS int LANGUAGE plpgsql AS"
                                        + " $$ BEGIN INSERT INTO ryw_op VALUES ($1 * 10 + $2, 'op'); RETURN $1 + $2; END $$",
                                "CREATE OPERATOR <~~> (LEFTARG = int, RIGHTARG = int, FUNCTION = ryw_op_touch)"),
                        all("ryw_op"), query("SELECT 4 <~~> 2 AS sum")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void readAfterWriteThroughTheProxyEqualsDirect(Case c) throws Exception {
        proxy.admin(c.fixture().toArray(String[]::new));
        try (Twin session = Twin.open(proxy, USER)) {
            List<Outcome> before = new ArrayList<>();
            for (String read : c.reads()) {
                before.add(session.cache(read));
            }

            c.write().run(session);

            for (int i = 0; i < c.reads().size(); i++) {
                String read = c.reads().get(i);
                if (c.changes()) {
                    Outcome after = session.noHit(read);
                    assertThat(after).as("the write changed what %s returns (direct)", read)
                            .isNotEqualTo(before.get(i));
                } else {
                    assertThat(session.read(read).outcome()).isEqualTo(before.get(i));
                }
                // Cached again, from the new state.
                session.cache(read);
            }
        }
    }

    /**
     * Inside its transaction a session sees its own uncommitted write (never the cached value), and
     * another session keeps the committed state until the COMMIT, then sees the new one.
     */
    @Test
    void uncommittedWriteIsSeenOnlyByItsSessionUntilCommit() throws Exception {
        proxy.admin(table("ryw_tx").toArray(String[]::new));
        String read = all("ryw_tx");
        try (Twin writer = Twin.open(proxy, USER); Twin reader = Twin.open(proxy, USER)) {
            Outcome committed = writer.cache(read);

            writer.viaProxy("BEGIN", "UPDATE ryw_tx SET v = 'mine' WHERE id = 1");
            var before = proxy.stats();
            Outcome own = writer.proxiedRead(read);
            proxy.since(before).assertNoHit("a read inside the writing transaction");
            assertThat(own).isNotEqualTo(committed);

            // The other session, meanwhile: the committed state (stored again after the UPDATE's invalidation).
            assertThat(reader.cache(read)).isEqualTo(committed);

            writer.viaProxy("COMMIT");
            // What the transaction saw of itself is what everyone sees once it committed.
            assertThat(writer.directRead(read)).isEqualTo(own);
            assertThat(reader.noHit(read)).isEqualTo(own);
            assertThat(writer.cache(read)).isEqualTo(own);
        }
    }

    /**
     * A read through a view whose function writes, by an extended-protocol session in a transaction,
     * while the catalog has not said what the view writes (its answers were just dropped): the catalog
     * cannot be asked mid-transaction, so every entry is dropped before the read runs, and no session is
     * served the state from before it once it commits.
     */
    @Test
    void aReadThatMayWriteInATransactionDropsEntriesWhenTheCatalogCannotBeAsked() throws Exception {
        proxy.admin(hiddenWrite("ryw_judge").toArray(String[]::new));
        String read = all("ryw_judge");
        QueryCache cache = proxy.server().queryCache();
        try (Twin session = Twin.open(proxy, USER)) {
            Outcome cached = session.cache(read);
            cache.forgetCatalogAnswers();

            readInExtendedTransaction("SELECT * FROM ryw_judge_view");
            assertThat(session.noHit(read)).as("after the commit").isNotEqualTo(cached);
        }
    }

    /** In another session through the proxy, extended protocol: BEGIN, the read (a row), COMMIT. */
    private static void readInExtendedTransaction(String sql) throws Exception {
        try (Connection other = PgEnvironment.connect(proxy.port(), QueryMode.EXTENDED_BINARY.properties())) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
            other.commit();
        }
    }

    /** A write through the extended protocol in the same session, then a simple-protocol read: the new rows. */
    @Test
    void extendedProtocolWriteInTheSameSessionIsSeen() throws Exception {
        proxy.admin(table("ryw_raw").toArray(String[]::new));
        String read = all("ryw_raw");
        try (RawSession proxied = RawSession.open(proxy.port());
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            proxied.query(read);
            proxied.query(read);
            io.pgmemo.cache.stats.CacheStats.Snapshot before = proxy.stats();
            List<String> cached = proxied.query(read);
            proxy.since(before).assertHit(read);
            assertThat(cached).isEqualTo(direct.query(read));

            String update = "UPDATE ryw_raw SET v = 'extended' WHERE id = 3";
            assertThat(proxied.extended(update)).isEqualTo(direct.extended(update));
            before = proxy.stats();
            List<String> after = proxied.query(read);
            proxy.since(before).assertNoHit(read);
            assertThat(after).isEqualTo(direct.query(read)).isNotEqualTo(cached);
        }
    }
}

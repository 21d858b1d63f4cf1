package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A BEGIN in an idle session is answered at once and goes upstream with the next request: every
 * reply the client gets is byte for byte what a direct session gets, the block is open upstream
 * from that next request on, and what the block writes commits or rolls back as it does directly.
 * Cache on and off (the relay alone), for BEGIN as a Query, as an unnamed extended cycle and as a
 * named prepared statement.
 */
@ProxyTest
class DeferredBeginTest {
    private static final String TABLE = "deferred_begin";
    private static CachingProxy cached;
    private static PgmemoServer relay;

    @BeforeAll
    static void start() throws Exception {
        cached = CachingProxy.memory();
        relay = PgEnvironment.get().startProxy(c -> c);
        cached.admin("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, v text)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            cached.admin("DROP TABLE IF EXISTS " + TABLE);
        } finally {
            relay.shutdown(java.time.Duration.ofSeconds(2));
            cached.close();
        }
    }

    private static int port(boolean cache) {
        return cache ? cached.port() : relay.boundAddress().getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "begin;", " Begin Work ", "START TRANSACTION;", "BEGIN TRANSACTION"})
    void aQueryBeginIsAnsweredAsDirectlyAndOpensTheBlockWithTheNextRequest(String begin) throws Exception {
        for (boolean cache : new boolean[] {true, false}) {
            try (RawSession proxied = RawSession.open(port(cache));
                 RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
                String proxiedPid = pid(proxied);
                String directPid = pid(direct);
                assertThat(proxied.query(begin)).isEqualTo(direct.query(begin));
                // Not sent yet: the proxied backend is still idle, the direct one in its block.
                assertThat(backendState(proxiedPid)).isEqualTo("idle");
                assertThat(backendState(directPid)).isEqualTo("idle in transaction");

                String insert = "INSERT INTO " + TABLE + " VALUES (1, 'x')";
                assertThat(proxied.query(insert)).isEqualTo(direct.query(insert.replace("(1", "(2")));
                assertThat(backendState(proxiedPid)).isEqualTo("idle in transaction");
                assertThat(proxied.query("ROLLBACK")).isEqualTo(direct.query("ROLLBACK"));
                assertThat(rowCount()).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aBlockWithAnErrorEndsAsDirectly(boolean cache) throws Exception {
        List<String> script = List.of("BEGIN", "SELECT 1/0", "SELECT 1", "ROLLBACK", "BEGIN", "COMMIT",
                "BEGIN", "BEGIN", "SELECT count(*) FROM " + TABLE, "COMMIT", "START TRANSACTION", "END");
        try (RawSession proxied = RawSession.open(port(cache));
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            for (String sql : script) {
                assertThat(proxied.query(sql)).as(sql).isEqualTo(direct.query(sql));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anExtendedBeginIsAnsweredAsDirectly(boolean cache) throws Exception {
        byte[] begin = RawPgClient.messages(new Parse("", "BEGIN", new int[0]), unnamedBind(),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        try (RawSession proxied = RawSession.open(port(cache));
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            String proxiedPid = pid(proxied);
            assertThat(proxied.send(begin, 1)).isEqualTo(direct.send(begin, 1));
            assertThat(backendState(proxiedPid)).isEqualTo("idle");
            String insert = "INSERT INTO " + TABLE + " VALUES (3, 'y')";
            assertThat(proxied.extended(insert)).isEqualTo(direct.extended(insert.replace("(3", "(4")));
            assertThat(proxied.query("COMMIT")).isEqualTo(direct.query("COMMIT"));
            assertThat(rowCount()).isEqualTo(2);
        } finally {
            cached.admin("DELETE FROM " + TABLE);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aNamedPreparedBeginTheUpstreamHasIsDeferred(boolean cache) throws Exception {
        byte[] prepare = RawPgClient.messages(new Parse("tx_begin", "BEGIN;", new int[0]), Sync.INSTANCE);
        byte[] begin = RawPgClient.messages(namedBind("tx_begin"), new Describe(TargetKind.PORTAL, ""),
                new Execute("", 0), Sync.INSTANCE);
        try (RawSession proxied = RawSession.open(port(cache));
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            String proxiedPid = pid(proxied);
            assertThat(proxied.send(prepare, 1)).isEqualTo(direct.send(prepare, 1));
            for (int i = 0; i < 3; i++) {
                assertThat(proxied.send(begin, 1)).isEqualTo(direct.send(begin, 1));
                assertThat(backendState(proxiedPid)).isEqualTo("idle");
                String select = "SELECT count(*) FROM " + TABLE;
                assertThat(proxied.extended(select)).isEqualTo(direct.extended(select));
                assertThat(backendState(proxiedPid)).isEqualTo("idle in transaction");
                assertThat(proxied.query("COMMIT")).isEqualTo(direct.query("COMMIT"));
            }
            // Once the statement may be gone, its Bind goes upstream as it came.
            assertThat(proxied.query("DEALLOCATE tx_begin")).isEqualTo(direct.query("DEALLOCATE tx_begin"));
            assertThat(proxied.send(begin, 1)).isEqualTo(direct.send(begin, 1));
        }
    }

    /** An INSERT that names its columns does not make the session forget its prepared statements. */
    @Test
    void aNamedBeginStaysKnownAcrossAnInsertNamingItsColumns() throws Exception {
        byte[] prepare = RawPgClient.messages(new Parse("tx_begin", "BEGIN", new int[0]), Sync.INSTANCE);
        byte[] begin = RawPgClient.messages(namedBind("tx_begin"), new Execute("", 0), Sync.INSTANCE);
        try (RawSession proxied = RawSession.open(cached.port());
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            String proxiedPid = pid(proxied);
            assertThat(proxied.send(prepare, 1)).isEqualTo(direct.send(prepare, 1));
            for (int id = 10; id < 13; id++) {
                assertThat(proxied.send(begin, 1)).isEqualTo(direct.send(begin, 1));
                assertThat(backendState(proxiedPid)).as("transaction %d", id).isEqualTo("idle");
                String insert = "INSERT INTO " + TABLE + " (id, v) VALUES (%d, 'p')";
                List<String> viaProxy = proxied.extended(insert.formatted(id));
                assertThat(viaProxy).isEqualTo(direct.extended(insert.formatted(id + 10)));
                assertThat(proxied.query("ROLLBACK")).isEqualTo(direct.query("ROLLBACK"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void requestsPipelinedBehindABeginGetTheirRepliesInOrder(boolean cache) throws Exception {
        byte[] pipeline = RawPgClient.concat(RawPgClient.query("BEGIN"),
                RawPgClient.query("INSERT INTO " + TABLE + " VALUES (5, 'z')"),
                RawPgClient.query("SELECT v FROM " + TABLE + " WHERE id = 5"),
                RawPgClient.query("ROLLBACK"), RawPgClient.query("SELECT count(*) FROM " + TABLE));
        try (RawSession proxied = RawSession.open(port(cache));
             RawSession direct = RawSession.open(PgEnvironment.get().upstreamPort())) {
            assertThat(proxied.send(pipeline, 5)).isEqualTo(direct.send(pipeline, 5));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSessionEndedAfterItsBeginLeavesNothingOpen(boolean cache) throws Exception {
        String pid;
        try (RawSession proxied = RawSession.open(port(cache))) {
            pid = pid(proxied);
            proxied.query("BEGIN");
        }
        for (int i = 0; i < 100 && backendState(pid) != null; i++) {
            Thread.sleep(20);
        }
        assertThat(backendState(pid)).isNull();
    }

    @Test
    void jdbcTransactionsCommitAndRollBackAsDirectly() throws Exception {
        for (boolean cache : new boolean[] {true, false}) {
            try (Connection c = PgEnvironment.connect(port(cache), new Properties());
                 Statement st = c.createStatement()) {
                st.execute("BEGIN");
                st.execute("INSERT INTO " + TABLE + " VALUES (6, 'kept')");
                st.execute("COMMIT");
                st.execute("BEGIN");
                st.execute("INSERT INTO " + TABLE + " VALUES (7, 'dropped')");
                st.execute("ROLLBACK");
            }
            assertThat(rowCount()).isEqualTo(1);
            cached.admin("DELETE FROM " + TABLE);
        }
    }

    private static Bind unnamedBind() {
        return namedBind("");
    }

    private static Bind namedBind(String statement) {
        return new Bind("", statement, new short[0], List.of(), new short[0]);
    }

    private static String pid(RawSession session) throws Exception {
        return RawSession.rows(session.query("SELECT pg_backend_pid()")).get(0).get(0);
    }

    /** The backend's state in pg_stat_activity, or null once it is gone. */
    private static String backendState(String pid) throws Exception {
        try (Connection c = PgEnvironment.connect(PgEnvironment.get().upstreamPort(), new Properties());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long rowCount() throws Exception {
        List<Long> counts = new ArrayList<>();
        try (Connection c = PgEnvironment.connect(PgEnvironment.get().upstreamPort(), new Properties());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TABLE)) {
            while (rs.next()) {
                counts.add(rs.getLong(1));
            }
        }
        return counts.get(0);
    }
}

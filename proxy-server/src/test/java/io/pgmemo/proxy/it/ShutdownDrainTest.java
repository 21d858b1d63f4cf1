package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.net.ConnectException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** shutdown(): stop accepting, end idle sessions at once, let busy ones finish, end stragglers at the deadline. */
@ProxyTest
class ShutdownDrainTest {
    private static final String[] ENDED = {"57P01", "08006", "08003"};

    private final PgEnvironment env = PgEnvironment.get();
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void busyQueryCompletesIdleSessionIsClosedAndNewConnectionsAreRefused() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        int port = server.boundAddress().getPort();
        // Only types pgjdbc knows without asking: a type lookup after the result would find the session ended.
        String sql = "SELECT 'finished' AS status, current_user::text AS who, 42 AS n FROM pg_sleep(2)";
        try (Connection idle = PgEnvironment.connect(port, new Properties());
             Connection busy = PgEnvironment.connect(port, new Properties());
             Connection direct = env.direct(); Connection admin = env.direct()) {
            Rows.query(idle, "SELECT 1");
            Future<Rows> busyResult = pool.submit(() -> Rows.query(busy, sql));
            Future<Rows> directResult = pool.submit(() -> Rows.query(direct, sql));
            awaitActive(admin, busy.unwrap(PGConnection.class).getBackendPID());

            long start = System.nanoTime();
            Future<?> shutdown = pool.submit(() -> {
                server.shutdown(Duration.ofSeconds(10));
                return null;
            });
            awaitSessionCount(server, 1);

            assertThat(SqlCall.sqlStateOf(() -> Rows.query(idle, "SELECT 1"))).as("idle session").isIn((Object[]) ENDED);
            assertThat(busyResult.get(10, TimeUnit.SECONDS)).isEqualTo(directResult.get(10, TimeUnit.SECONDS));
            shutdown.get(15, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(SqlCall.sqlStateOf(() -> Rows.query(busy, "SELECT 1"))).as("busy session afterwards")
                    .isIn((Object[]) ENDED);
            assertThatThrownBy(() -> new Socket(PgEnvironment.HOST, port).close()).isInstanceOf(ConnectException.class);
        }
    }

    /** A session inside a transaction is busy: it may finish the transaction, and is ended after COMMIT. */
    @Test
    void openTransactionMayCommitBeforeTheSessionEnds() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        try (Connection proxied = PgEnvironment.connect(server.boundAddress().getPort(), new Properties());
             Connection direct = env.direct()) {
            for (Connection connection : new Connection[] {proxied, direct}) {
                try (Statement st = connection.createStatement()) {
                    st.execute("CREATE TEMP TABLE drain_t (x int)");
                }
                connection.setAutoCommit(false);
                Rows.query(connection, "SELECT 'in transaction'");
            }
            Future<?> shutdown = pool.submit(() -> {
                server.shutdown(Duration.ofSeconds(10));
                return null;
            });
            Thread.sleep(300);
            assertThat(shutdown).as("shutdown waits for the open transaction").isNotDone();

            String work = "INSERT INTO drain_t SELECT generate_series(1, 3) RETURNING x";
            assertThat(Rows.query(proxied, work)).isEqualTo(Rows.query(direct, work));
            proxied.commit();
            direct.commit();

            shutdown.get(8, TimeUnit.SECONDS);
            assertThat(SqlCall.sqlStateOf(() -> Rows.query(proxied, "SELECT 1"))).isIn((Object[]) ENDED);
        }
    }

    @Test
    void sessionStillBusyAtTheDeadlineIsEnded() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        try (Connection busy = PgEnvironment.connect(server.boundAddress().getPort(), new Properties());
             Connection admin = env.direct()) {
            Future<String> outcome = pool.submit(() -> SqlCall.sqlStateOf(() -> Rows.query(busy, "SELECT pg_sleep(6)")));
            awaitActive(admin, busy.unwrap(PGConnection.class).getBackendPID());
            long start = System.nanoTime();

            server.shutdown(Duration.ofSeconds(1));

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(outcome.get(4, TimeUnit.SECONDS)).isIn((Object[]) ENDED);
        }
    }

    /**
     * Extended protocol without Sync: Parse/Bind/Execute/Flush. The Execute is running, so the
     * session is busy although no Sync (and so no ReadyForQuery) is outstanding; its result must
     * arrive before the session is ended.
     */
    @Test
    void flushedExecuteWithoutSyncIsBusyToo() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        String marker = "drain-flush-probe";
        try (RawPgClient client = RawPgClient.connect(server.boundAddress().getPort());
             Connection admin = env.direct()) {
            client.startup(PgEnvironment.SUPERUSER);
            client.send(RawPgClient.concat(RawPgClient.parse("SELECT pg_sleep(1.5) /* " + marker + " */"),
                    RawPgClient.bind(), RawPgClient.execute(), RawPgClient.flush()));
            awaitActive(admin, marker);

            Future<?> shutdown = pool.submit(() -> {
                server.shutdown(Duration.ofSeconds(10));
                return null;
            });

            StringBuilder types = new StringBuilder();
            try {
                for (int i = 0; i < 4; i++) {
                    RawPgClient.Message message = client.readMessage();
                    types.append(message.type() == 'E' ? "E" + message.sqlState() + " " : message.type());
                }
            } catch (java.io.EOFException e) {
                types.append("<EOF>");
            }
            assertThat(types).as("ParseComplete, BindComplete, DataRow, CommandComplete").hasToString("12DC");
            client.send(RawPgClient.sync());
            assertThat(client.readMessage().type()).isEqualTo('Z');
            assertThat(client.readError().sqlState()).isEqualTo("57P01");
            assertThat(client.isClosedByPeer()).isTrue();
            shutdown.get(10, TimeUnit.SECONDS);
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    private static void awaitActive(Connection admin, String queryMarker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*)"
                    + " FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%" + queryMarker + "%'"
                    + " AND pid <> pg_backend_pid()")) {
                if (rs.next() && rs.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no active query with " + queryMarker);
    }

    private static void awaitActive(Connection admin, int pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Statement st = admin.createStatement();
                 ResultSet rs = st.executeQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid)) {
                if (rs.next() && "active".equals(rs.getString(1))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("backend " + pid + " never became active");
    }

    private static void awaitSessionCount(PgmemoServer server, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.sessions().size() > expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.sessions().size()).as("sessions during the drain").isEqualTo(expected);
    }
}

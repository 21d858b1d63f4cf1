package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** Whichever side ends a session, the other side is ended too and the proxy forgets it. */
@ProxyTest
class SessionLifecycleTest {
    private final PgEnvironment env = PgEnvironment.get();

    @Test
    void clientCloseWithTerminateEndsTheUpstreamBackend() throws Exception {
        try (Connection admin = env.direct()) {
            int sessionsBefore = env.proxy().sessions().size();
            Connection client = env.viaProxy();
            int pid = client.unwrap(PGConnection.class).getBackendPID();
            assertThat(env.proxy().sessions().size()).isEqualTo(sessionsBefore + 1);

            client.close();

            awaitBackendGone(admin, pid);
            awaitSessionCount(sessionsBefore);
        }
    }

    @Test
    void clientSocketDroppedWithoutTerminateEndsTheUpstreamBackend() throws Exception {
        try (Connection admin = env.direct()) {
            int sessionsBefore = env.proxy().sessions().size();
            int pid;
            try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
                client.startup(PgEnvironment.SUPERUSER);
                client.send(RawPgClient.query("SELECT pg_backend_pid()"));
                RawPgClient.Message row;
                do {
                    row = client.readMessage();
                } while (row.type() != 'D');
                // DataRow: Int16 count, Int32 length, text.
                pid = Integer.parseInt(new String(row.body(), 6, row.body().length - 6));
                client.awaitReadyForQuery();
            }

            awaitBackendGone(admin, pid);
            awaitSessionCount(sessionsBefore);
        }
    }

    /** pg_terminate_backend: the client hears what it would hear directly, and the proxy drops the session. */
    @Test
    void upstreamTerminatedEndsTheClientSessionAsDirectly() throws Exception {
        try (Connection admin = env.direct()) {
            int sessionsBefore = env.proxy().sessions().size();
            String proxied = stateAfterBackendTerminated(admin, env.viaProxy());
            String direct = stateAfterBackendTerminated(admin, env.direct());

            assertThat(proxied).isIn("57P01", "08006");
            assertThat(direct).isIn("57P01", "08006");
            awaitSessionCount(sessionsBefore);
        }
    }

    private static String stateAfterBackendTerminated(Connection admin, Connection victim) throws Exception {
        try (victim) {
            int pid = victim.unwrap(PGConnection.class).getBackendPID();
            Rows.query(admin, "SELECT pg_terminate_backend(" + pid + ")");
            awaitBackendGone(admin, pid);
            return SqlCall.sqlStateOf(() -> Rows.query(victim, "SELECT 1"));
        }
    }

    /** Server-side timeouts are the upstream's: statement_timeout cancels with 57014 as directly. */
    @Test
    void statementTimeoutCancelsAsDirectly() throws Exception {
        try (Connection proxied = env.viaProxy(); Connection direct = env.direct()) {
            for (Connection connection : new Connection[] {proxied, direct}) {
                try (Statement st = connection.createStatement()) {
                    st.execute("SET statement_timeout = '200ms'");
                }
            }
            String sql = "SELECT pg_sleep(5)";
            String viaProxy = SqlCall.sqlStateOf(() -> Rows.query(proxied, sql));

            assertThat(viaProxy).isEqualTo(SqlCall.sqlStateOf(() -> Rows.query(direct, sql))).isEqualTo("57014");
            String after = "SELECT 'alive' AS status, current_setting('statement_timeout') AS timeout";
            assertThat(Rows.query(proxied, after)).isEqualTo(Rows.query(direct, after));
        }
    }

    private static void awaitBackendGone(Connection admin, int pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean present = true;
        while (present && System.nanoTime() < deadline) {
            try (Statement st = admin.createStatement();
                 ResultSet rs = st.executeQuery("SELECT 1 FROM pg_stat_activity WHERE pid = " + pid)) {
                present = rs.next();
            }
            if (present) {
                Thread.sleep(20);
            }
        }
        assertThat(present).as("upstream backend %d still there", pid).isFalse();
    }

    private void awaitSessionCount(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (env.proxy().sessions().size() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(env.proxy().sessions().size()).as("sessions in the proxy").isEqualTo(expected);
    }
}

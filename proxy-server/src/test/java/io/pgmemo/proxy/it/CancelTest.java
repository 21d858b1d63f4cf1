package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** CancelRequest through the proxy: a genuine key cancels the running query, a forged one does nothing. */
@ProxyTest
class CancelTest {
    private final PgEnvironment env = PgEnvironment.get();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void statementCancelStopsALongQueryWith57014() throws Exception {
        try (Connection connection = env.viaProxy(); Connection reference = env.direct();
             Statement st = connection.createStatement()) {
            scheduler.schedule(() -> {
                st.cancel();
                return null;
            }, 500, TimeUnit.MILLISECONDS);
            long start = System.nanoTime();

            String state = SqlCall.sqlStateOf(() -> st.execute("SELECT pg_sleep(30)"));

            assertThat(state).isEqualTo("57014");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            // The session survives the cancel.
            String after = "SELECT 'after cancel' AS status, current_user";
            assertThat(Rows.query(connection, after)).isEqualTo(Rows.query(reference, after));
        }
    }

    /** BackendKeyData is relayed unchanged, so pgjdbc's cancel key names the real upstream backend. */
    @Test
    void backendKeyDataNamesTheUpstreamBackend() throws Exception {
        try (Connection connection = env.viaProxy()) {
            String pid = Rows.query(connection, "SELECT pg_backend_pid()").strings().get(0).get(0);
            assertThat(connection.unwrap(PGConnection.class).getBackendPID()).isEqualTo(Integer.parseInt(pid));
        }
    }

    @Test
    void cancelWithAForgedSecretKeyIsIgnored() throws Exception {
        try (Connection connection = env.viaProxy(); Connection reference = env.direct();
             Statement st = connection.createStatement()) {
            int pid = connection.unwrap(PGConnection.class).getBackendPID();
            scheduler.schedule(() -> {
                try (RawPgClient forger = RawPgClient.connect(env.proxyPort())) {
                    forger.send(RawPgClient.cancelRequest(pid, 0x5eed));
                    // The proxy closes a cancel connection without answering.
                    assertThat(forger.isClosedByPeer()).isTrue();
                }
                return null;
            }, 300, TimeUnit.MILLISECONDS);

            String sql = "SELECT pg_sleep(1.5), 'not cancelled' AS status";
            assertThat(Rows.query(connection, sql)).isEqualTo(Rows.query(reference, sql));
        }
    }
}

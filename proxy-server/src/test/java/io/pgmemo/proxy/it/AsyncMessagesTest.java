package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.sql.Connection;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Messages the server sends on its own: NotificationResponse, NoticeResponse, ParameterStatus. */
@ProxyTest
class AsyncMessagesTest {
    private final PgEnvironment env = PgEnvironment.get();

    /** A listener through the proxy and one connected directly get the same notifications. */
    @Test
    void listenerThroughTheProxyGetsNotifications() throws Exception {
        try (Connection proxiedListener = env.viaProxy(); Connection directListener = env.direct();
             Connection notifier = env.viaProxy()) {
            for (Connection listener : List.of(proxiedListener, directListener)) {
                try (Statement st = listener.createStatement()) {
                    st.execute("LISTEN pgmemo_events");
                }
            }
            int notifierPid = notifier.unwrap(PGConnection.class).getBackendPID();
            try (Statement st = notifier.createStatement()) {
                st.execute("NOTIFY pgmemo_events, 'first'");
                st.execute("SELECT pg_notify('pgmemo_events', 'second: ' || repeat('ü', 100))");
                st.execute("NOTIFY other_channel, 'not listened to'");
            }

            List<String> viaProxy = awaitNotifications(proxiedListener, 2);
            List<String> direct = awaitNotifications(directListener, 2);

            assertThat(viaProxy).isEqualTo(direct).hasSize(2)
                    .allSatisfy(n -> assertThat(n).startsWith("pgmemo_events|" + notifierPid + "|"));
        }
    }

    private static List<String> awaitNotifications(Connection listener, int expected) throws Exception {
        List<String> received = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.size() < expected && System.nanoTime() < deadline) {
            PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(500);
            if (batch != null) {
                for (PGNotification n : batch) {
                    received.add(n.getName() + "|" + n.getPID() + "|" + n.getParameter());
                }
            }
        }
        return received;
    }

    @Test
    void raiseNoticeReachesTheClientAsAWarning() throws Exception {
        String block = "DO $$ BEGIN RAISE NOTICE 'hello % from %', 42, 'plpgsql';"
                + " RAISE WARNING USING MESSAGE = 'custom warning', ERRCODE = '01P42', DETAIL = 'some detail'; END $$";
        assertThat(warnings(env.viaProxy(), block)).isEqualTo(warnings(env.direct(), block))
                .containsExactly("00000 hello 42 from plpgsql", "01P42 custom warning");
    }

    private static List<String> warnings(Connection connection, String sql) throws Exception {
        try (connection; Statement st = connection.createStatement()) {
            st.execute(sql);
            List<String> texts = new ArrayList<>();
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                texts.add(w.getSQLState() + " " + w.getMessage().replaceFirst("^(NOTICE|WARNING): ", ""));
            }
            return texts;
        }
    }

    /** SET of a GUC_REPORT setting makes the server send ParameterStatus, which pgjdbc records. */
    @Test
    void parameterStatusChangesReachTheClient() throws Exception {
        assertThat(parameterStatus(env.viaProxy())).isEqualTo(parameterStatus(env.direct()))
                .containsExactly("pgmemo-test", "Asia/Kathmandu");
    }

    private static List<String> parameterStatus(Connection connection) throws Exception {
        try (connection; Statement st = connection.createStatement()) {
            st.execute("SET application_name = 'pgmemo-test'");
            st.execute("SET TimeZone = 'Asia/Kathmandu'");
            PGConnection pg = connection.unwrap(PGConnection.class);
            return List.of(pg.getParameterStatus("application_name"), pg.getParameterStatus("TimeZone"));
        }
    }
}

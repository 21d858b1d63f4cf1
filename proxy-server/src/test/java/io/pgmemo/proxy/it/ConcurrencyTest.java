package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 100 sessions open at once through the proxy, each getting exactly its own answers. */
@ProxyTest
class ConcurrencyTest {
    private static final int SESSIONS = 100;

    private final PgEnvironment env = PgEnvironment.get();

    @Test
    void hundredConcurrentSessionsAllGetTheirOwnResults() throws Exception {
        // Each expected result from a fresh direct session, as pgjdbc's statement cache and
        // prepareThreshold make a session's later results binary.
        List<List<Rows>> expected = new ArrayList<>();
        for (int session = 0; session < SESSIONS; session++) {
            try (Connection direct = env.direct()) {
                expected.add(work(direct, session));
            }
        }
        int sessionsBefore = env.proxy().sessions().size();

        CyclicBarrier allOpen = new CyclicBarrier(SESSIONS);
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try {
            List<Future<List<Rows>>> results = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                int session = i;
                results.add(pool.submit(() -> {
                    try (Connection connection = env.viaProxy()) {
                        allOpen.await(60, TimeUnit.SECONDS);
                        return work(connection, session);
                    }
                }));
            }
            for (int session = 0; session < SESSIONS; session++) {
                assertThat(results.get(session).get(60, TimeUnit.SECONDS)).as("session %d", session)
                        .isEqualTo(expected.get(session));
            }
        } finally {
            pool.shutdownNow();
        }
        awaitSessionCount(sessionsBefore);
    }

    /** A few statements whose answers depend on {@code session}, including session state (a temp table). */
    private static List<Rows> work(Connection connection, int session) throws Exception {
        List<Rows> rows = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TEMP TABLE mine (n int, h text)");
            st.execute("INSERT INTO mine SELECT i, md5((i * " + session + ")::text) FROM generate_series(1, 50) AS i");
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT ?::int AS session, count(*), sum(n), string_agg(h, '' ORDER BY n) FROM mine")) {
            for (int repeat = 0; repeat < 6; repeat++) {
                ps.setInt(1, session);
                try (ResultSet rs = ps.executeQuery()) {
                    rows.add(Rows.of(rs));
                }
            }
        }
        rows.add(Rows.query(connection, "SELECT repeat(md5('" + session + "'), 200) AS big,"
                + " current_setting('application_name') AS app"));
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE mine");
        }
        return rows;
    }

    /** Closed clients leave the proxy's registry. */
    private void awaitSessionCount(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (env.proxy().sessions().size() > expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(env.proxy().sessions().size()).as("sessions left in the proxy").isEqualTo(expected);
    }
}

package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.session.Session;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.RawPgClient.Message;
import io.pgmemo.proxy.testing.Rows;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a 1 GB result: the proxy stops reading the upstream instead of
 * buffering, the upstream blocks in ClientWrite, and reading again resumes the stream. Likewise
 * the other way round.
 */
@ProxyTest
class BackpressureTest {
    private static final String MARKER = "pgmemo-backpressure-probe";
    private static final String HUGE = "SELECT repeat('x', 1000) AS x FROM generate_series(1, 1000000) /* " + MARKER + " */";
    private static final long BOUND = 4L << 20;
    private static final long HEAP_GROWTH_BOUND = 256L << 20;

    private final PgEnvironment env = PgEnvironment.get();

    @Test
    void stalledClientKeepsProxyBuffersSmallAndTheUpstreamWaits() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        try (Connection admin = env.direct()) {
            int port = server.boundAddress().getPort();
            long heapBefore = usedHeapAfterGc();
            try (RawPgClient client = RawPgClient.connect(port, 64 * 1024)) {
                client.startup(PgEnvironment.SUPERUSER);
                client.send(RawPgClient.query(HUGE));

                awaitUpstreamWaitEvent(admin, "ClientWrite");
                List<Long> samples = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Thread.sleep(500);
                    assertThat(server.sessions().size()).isEqualTo(1);
                    samples.add(server.sessions().snapshot().stream().mapToLong(Session::bufferedBytes).sum());
                }
                assertThat(samples).as("buffered bytes while the client is stalled").allMatch(b -> b < BOUND);
                assertThat(upstreamWaitEvent(admin)).as("upstream still blocked after 3 s").isEqualTo("ClientWrite");
                assertThat(usedHeapAfterGc() - heapBefore).as("heap growth").isLessThan(HEAP_GROWTH_BOUND);

                readSomeRows(client, 20_000);
            }
            awaitUpstreamGone(admin);
            try (Connection proxied = PgEnvironment.connect(port, new Properties())) {
                String check = "SELECT 'serving' AS status, count(*) FROM generate_series(1, 10)";
                assertThat(Rows.query(proxied, check)).isEqualTo(Rows.query(admin, check));
            }
        } finally {
            server.shutdown(Duration.ofSeconds(2));
        }
    }

    /**
     * The other direction: the upstream is busy (pg_sleep) and reads nothing while the client
     * pipelines 64 MB of queries. The proxy must stop reading the client rather than buffer them.
     */
    @Test
    void busyUpstreamStopsTheProxyReadingTheClient() throws Exception {
        PgmemoServer server = env.startProxy(config -> config);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawPgClient client = RawPgClient.connect(server.boundAddress().getPort())) {
            client.startup(PgEnvironment.SUPERUSER);
            client.send(RawPgClient.query("SELECT pg_sleep(4)"));
            byte[] one = RawPgClient.query("SELECT 1");
            byte[] chunk = new byte[one.length * 4096];
            for (int i = 0; i < 4096; i++) {
                System.arraycopy(one, 0, chunk, i * one.length, one.length);
            }
            long flood = 64L << 20;
            AtomicLong written = new AtomicLong();
            Future<?> flooding = writer.submit(() -> {
                while (written.get() < flood) {
                    client.send(chunk);
                    written.addAndGet(chunk.length);
                }
                return null;
            });
            Thread.sleep(1000);
            List<Long> samples = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(300);
                samples.add(server.sessions().snapshot().stream().mapToLong(Session::bufferedBytes).sum());
            }

            assertThat(samples).as("buffered bytes while the upstream is busy").allMatch(b -> b < BOUND);
            assertThat(flooding).as("the client's writes are held back").isNotDone();
            assertThat(written.get()).isLessThan(flood);
        } finally {
            writer.shutdownNow();
            server.shutdown(Duration.ofSeconds(2));
        }
    }

    /** After the stall, the stream continues where it stopped: RowDescription, then intact DataRows. */
    private static void readSomeRows(RawPgClient client, int rows) throws Exception {
        Message first = client.readMessage();
        assertThat(first.type()).isEqualTo('T');
        String expected = "x".repeat(1000);
        for (int i = 0; i < rows; i++) {
            Message row = client.readMessage();
            assertThat(row.type()).isEqualTo('D');
            // DataRow: Int16 column count, Int32 length, bytes.
            assertThat(new String(row.body(), 6, row.body().length - 6, StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    private static String upstreamWaitEvent(Connection admin) throws Exception {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(wait_event, state) FROM pg_stat_activity"
                        + " WHERE query LIKE '%" + MARKER + "%' AND pid <> pg_backend_pid()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void awaitUpstreamWaitEvent(Connection admin, String event) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String seen = null;
        while (System.nanoTime() < deadline && !event.equals(seen = upstreamWaitEvent(admin))) {
            Thread.sleep(50);
        }
        assertThat(seen).as("upstream wait event").isEqualTo(event);
    }

    /** Closing the client ends the upstream backend too, though it was blocked sending. */
    private static void awaitUpstreamGone(Connection admin) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String seen;
        while ((seen = upstreamWaitEvent(admin)) != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(seen).as("upstream backend after the client left").isNull();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}

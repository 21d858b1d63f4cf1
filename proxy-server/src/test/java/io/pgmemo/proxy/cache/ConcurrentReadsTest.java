package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many sessions at once: the same uncached query, and reads racing writes through the proxy. */
@ProxyTest
class ConcurrentReadsTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final int SESSIONS = 12;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE conc_t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 500) g",
                "CREATE TABLE conc_counter (id int PRIMARY KEY, n int)", "INSERT INTO conc_counter VALUES (1, 0)");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE conc_t, conc_counter");
        } finally {
            proxy.close();
        }
    }

    /** Rounds of N sessions sending the same uncached query at the same moment; then all of them hit. */
    @Test
    void sameUncachedQueryFromManySessionsAtOnce() throws Exception {
        List<Connection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try (Connection direct = proxy.direct(USER)) {
            for (int i = 0; i < SESSIONS; i++) {
                connections.add(proxy.connect(USER));
            }
            for (int round = 0; round < 4; round++) {
                String sql = "SELECT id, h FROM conc_t WHERE id % 4 = " + round + " ORDER BY id";
                Outcome expected = Outcome.of(direct, sql);
                CacheStats.Snapshot before = proxy.stats();
                assertThat(runAll(pool, connections, sql)).allSatisfy(o -> assertThat(o).isEqualTo(expected));
                CachingProxy.Delta cold = proxy.since(before);
                assertThat(cold.hits() + cold.misses()).as("look-ups (%s)", cold).isEqualTo(SESSIONS);
                assertThat(cold.stores()).as("stores (%s)", cold).isPositive();

                before = proxy.stats();
                assertThat(runAll(pool, connections, sql)).allSatisfy(o -> assertThat(o).isEqualTo(expected));
                CachingProxy.Delta warm = proxy.since(before);
                assertThat(warm.hits()).as("hits of the second wave (%s)", warm).isEqualTo(SESSIONS);
            }
        } finally {
            pool.shutdownNow();
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    private static List<Outcome> runAll(ExecutorService pool, List<Connection> connections, String sql)
            throws Exception {
        CyclicBarrier together = new CyclicBarrier(connections.size());
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Connection connection : connections) {
            Callable<Outcome> task = () -> {
                together.await(30, TimeUnit.SECONDS);
                return Outcome.of(connection, sql);
            };
            futures.add(pool.submit(task));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> future : futures) {
            outcomes.add(future.get(60, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    /**
     * A writer updates a counter through the proxy while readers read it through the proxy: a read
     * that starts after an UPDATE returned never sees an older value (no stale entry survives a write).
     */
    @Test
    void readsStartedAfterAWriteNeverSeeAnOlderValue() throws Exception {
        int readers = 4;
        int writes = 150;
        String read = "SELECT n FROM conc_counter WHERE id = 1";
        AtomicInteger committed = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        CacheStats.Snapshot before = proxy.stats();
        try {
            List<Future<String>> readerResults = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                readerResults.add(pool.submit(() -> {
                    try (Connection c = proxy.connect(USER)) {
                        while (!done.get()) {
                            int floor = committed.get();
                            int seen = Integer.parseInt(Outcome.of(c, read).first());
                            reads.incrementAndGet();
                            if (seen < floor) {
                                return "read " + seen + " after " + floor + " was committed";
                            }
                        }
                    }
                    return null;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                try (Connection c = proxy.connect(USER); java.sql.Statement st = c.createStatement()) {
                    for (int i = 1; i <= writes; i++) {
                        st.executeUpdate("UPDATE conc_counter SET n = " + i + " WHERE id = 1");
                        committed.set(i);
                        Thread.sleep(2);
                    }
                } finally {
                    done.set(true);
                }
                return null;
            });
            writer.get(60, TimeUnit.SECONDS);
            for (Future<String> result : readerResults) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isNull();
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        CachingProxy.Delta delta = proxy.since(before);
        assertThat(delta.hits()).as("the cache served some of the %d reads (%s)", reads.get(), delta).isPositive();
        try (Twin session = Twin.open(proxy, USER)) {
            assertThat(session.read(read).outcome().first()).isEqualTo(String.valueOf(writes));
        }
    }
}

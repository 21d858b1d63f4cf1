package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
        try (Sessions sessions = new Sessions(SESSIONS); Connection direct = proxy.direct(USER)) {
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(proxy.connect(USER));
            }
            for (int round = 0; round < 4; round++) {
                String sql = "SELECT id, h FROM conc_t WHERE id % 4 = " + round + " ORDER BY id";
                Outcome expected = Outcome.of(direct, sql);
                CacheStats.Snapshot before = proxy.stats();
                assertThat(sessions.runAll(sql)).allSatisfy(o -> assertThat(o).isEqualTo(expected));
                CachingProxy.Delta cold = proxy.since(before);
                assertThat(cold.hits() + cold.misses()).as("look-ups (%s)", cold).isEqualTo(SESSIONS);
                assertThat(cold.stores()).as("stores (%s)", cold).isPositive();

                before = proxy.stats();
                assertThat(sessions.runAll(sql)).allSatisfy(o -> assertThat(o).isEqualTo(expected));
                CachingProxy.Delta warm = proxy.since(before);
                assertThat(warm.hits()).as("hits of the second wave (%s)", warm).isEqualTo(SESSIONS);
            }
        }
    }

    /**
     * N sessions send the same uncached, slow read at the same moment: the upstream runs it once (seen
     * in pg_stat_activity while it runs), and every session gets the direct answer. Again after a write
     * invalidated it. As simple Query messages, and as extended-protocol cycles (pgjdbc's default).
     */
    @ParameterizedTest
    @EnumSource(value = QueryMode.class, names = {"SIMPLE", "EXTENDED"})
    void identicalConcurrentMissesCostOneUpstreamQuery(QueryMode mode) throws Exception {
        String sql = "/* coalesced */ SELECT count(*) AS n FROM conc_t, generate_series(1, 40000) g"
                + " WHERE (conc_t.id + g) % 7 = " + mode.ordinal();
        try (Sessions sessions = new Sessions(SESSIONS + 1); Connection direct = proxy.direct(USER)) {
            for (int i = 0; i < SESSIONS; i++) {
                Properties properties = mode.properties();
                properties.setProperty("user", USER);
                Outcome.of(sessions.add(PgEnvironment.connect(proxy.port(), properties)), "SELECT 1 AS warm");
            }
            Outcome expected = Outcome.of(direct, sql);
            for (int round = 0; round < 2; round++) {
                try (Statement write = sessions.connections.get(0).createStatement()) {
                    // Through the proxy: the second round reads after an invalidation.
                    write.executeUpdate("UPDATE conc_t SET h = h WHERE id = 1");
                }
                CacheStats.Snapshot before = proxy.stats();
                AtomicBoolean running = new AtomicBoolean(true);
                Future<Integer> mostAtOnce = sessions.pool.submit(() -> mostRunningAtOnce(direct, sql, running));
                List<Outcome> outcomes;
                try {
                    outcomes = sessions.runAll(sql);
                } finally {
                    running.set(false);
                }
                assertThat(outcomes).allSatisfy(o -> assertThat(o).isEqualTo(expected));
                assertThat(mostAtOnce.get(30, TimeUnit.SECONDS)).as("upstream executions at once, round %d", round)
                        .isEqualTo(1);
                CacheStats.Snapshot after = proxy.stats();
                long shared = (after.coalesced() - before.coalesced()) + (after.hits() - before.hits());
                assertThat(shared).as("answered without an upstream query (%s)", after).isEqualTo(SESSIONS - 1);
                assertThat(after.coalesced() - before.coalesced()).as("waited for the first (%s)", after).isPositive();
            }
        }
    }

    /** Identical reads that fail upstream: nothing is shared, each session gets its own error. */
    @Test
    void identicalConcurrentMissesThatFailEachGetTheirError() throws Exception {
        String sql = "/* fails */ SELECT count(*) / (count(*) - count(*)) FROM conc_t, generate_series(1, 4000) g";
        try (Sessions sessions = new Sessions(SESSIONS); Connection direct = proxy.direct(USER)) {
            for (int i = 0; i < SESSIONS; i++) {
                sessions.add(proxy.connect(USER));
            }
            Outcome expected = Outcome.of(direct, sql);
            assertThat(expected.sqlState()).isEqualTo("22012");
            CacheStats.Snapshot before = proxy.stats();
            assertThat(sessions.runAll(sql)).allSatisfy(o -> assertThat(o).isEqualTo(expected));
            assertThat(proxy.stats().coalesced() - before.coalesced()).isZero();
        }
    }

    /** The session whose read the others wait for goes away mid-query: the others send their own. */
    @Test
    void followersSendTheirOwnReadWhenTheFirstSessionGoesAway() throws Exception {
        String sql = "/* abandoned */ SELECT count(*) AS n FROM conc_t, generate_series(1, 40000) g"
                + " WHERE (conc_t.id + g) % 5 = 0";
        try (Sessions sessions = new Sessions(4); Connection direct = proxy.direct(USER)) {
            Outcome expected = Outcome.of(direct, sql);
            Connection leader = proxy.connect(USER);
            Outcome.of(leader, "SELECT 1 AS warm");
            List<Connection> followers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                followers.add(sessions.add(proxy.connect(USER)));
                Outcome.of(followers.get(i), "SELECT 1 AS warm");
            }
            sessions.pool.submit(() -> Outcome.of(leader, sql));
            awaitRunning(direct, sql);
            CacheStats.Snapshot before = proxy.stats();
            List<Future<Outcome>> waiting = new ArrayList<>();
            for (Connection follower : followers) {
                waiting.add(sessions.pool.submit(() -> Outcome.of(follower, sql)));
            }
            while (proxy.stats().misses() - before.misses() < followers.size()) {
                Thread.sleep(10);
            }
            leader.abort(Runnable::run);
            for (Future<Outcome> outcome : waiting) {
                assertThat(outcome.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        }
    }

    private static void awaitRunning(Connection direct, String sql) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (runningNow(direct, sql) > 0) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the first read never started upstream");
    }

    private static int runningNow(Connection direct, String sql) throws Exception {
        String marker = sql.substring(0, sql.indexOf("*/") + 2);
        try (Statement st = direct.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                     + " AND starts_with(query, '" + marker + "')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Polls pg_stat_activity until told to stop: the most backends seen running {@code sql} at once. */
    private static int mostRunningAtOnce(Connection direct, String sql, AtomicBoolean running) throws Exception {
        int most = 0;
        while (running.get()) {
            most = Math.max(most, runningNow(direct, sql));
            Thread.sleep(5);
        }
        return most;
    }

    /** Connections through the proxy with a pool of threads to use them at once; closed together. */
    private static final class Sessions implements AutoCloseable {
        final List<Connection> connections = new ArrayList<>();
        final ExecutorService pool;

        Sessions(int threads) {
            pool = Executors.newFixedThreadPool(threads);
        }

        Connection add(Connection connection) {
            connections.add(connection);
            return connection;
        }

        /** Sends {@code sql} on every connection at the same moment; their outcomes, in order. */
        List<Outcome> runAll(String sql) throws Exception {
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

        @Override
        public void close() throws SQLException {
            pool.shutdownNow();
            for (Connection connection : connections) {
                connection.close();
            }
        }
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
                try (Connection c = proxy.connect(USER); Statement st = c.createStatement()) {
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

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several statements in one Query, and several Queries in one write, with cache hits among them: every
 * answer arrives, in request order, with exactly the bytes a direct connection gets.
 */
@ProxyTest
class PipeliningTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final String CACHED = "SELECT id, v FROM pipe_t ORDER BY id";
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE pipe_t (id int, v text)", "INSERT INTO pipe_t VALUES (1, 'one'), (2, 'two')",
                "CREATE TABLE pipe_log (n int)",
                "CREATE FUNCTION pipe_bump() RETURNS int LANGUAGE sql AS 'INSERT INTO pipe_log VALUES (1) RETURNING 1'",
                "CREATE VIEW pipe_bumping AS SELECT pipe_bump() AS b");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE pipe_t", "DROP VIEW pipe_bumping", "DROP FUNCTION pipe_bump()",
                    "DROP TABLE pipe_log");
        } finally {
            proxy.close();
        }
    }

    /** psql-style "SELECT 1; SELECT 2" in one simple Query: both results, not cached as a unit. */
    @Test
    void multiStatementQueryThroughPgjdbc() throws Exception {
        try (Twin session = Twin.open(proxy, USER)) {
            session.cache("SELECT 1");
            String sql = "SELECT 1; SELECT 2 AS two, 'x' AS x; " + CACHED;
            CacheStats.Snapshot before = proxy.stats();
            List<Outcome> proxied = all(session.proxied, sql);
            List<Outcome> again = all(session.proxied, sql);
            proxy.since(before).assertNothingStoredOrHit(sql);
            List<Outcome> direct = all(session.direct, sql);
            assertThat(proxied).hasSize(3).isEqualTo(direct).isEqualTo(again);
            session.hit("SELECT 1");
        }
    }

    private static List<Outcome> all(java.sql.Connection connection, String sql) throws Exception {
        List<Outcome> results = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            boolean isResultSet = st.execute(sql);
            while (isResultSet || st.getUpdateCount() != -1) {
                if (isResultSet) {
                    try (ResultSet rs = st.getResultSet()) {
                        results.add(Outcome.of(rs));
                    }
                }
                isResultSet = st.getMoreResults();
            }
        }
        return results;
    }

    /** The same multi-statement text sent raw: the same messages as directly. */
    @Test
    void multiStatementQueryRaw() throws Exception {
        byte[] query = RawPgClient.query("SELECT 1; SELECT 2; " + CACHED);
        // CACHED is in the cache (alone) before it is sent as part of a multi-statement query.
        exchange(proxy.port(), null, RawPgClient.query(CACHED), 1);
        CacheStats.Snapshot before = proxy.stats();
        List<String> viaProxy = exchange(proxy.port(), null, query, 1);
        proxy.since(before).assertNothingStoredOrHit("a multi-statement query");
        List<String> direct = exchange(PgEnvironment.get().upstreamPort(), null, query, 1);
        assertThat(viaProxy).isEqualTo(direct);
        assertThat(viaProxy.stream().filter(m -> m.startsWith("C"))).hasSize(3);
    }

    /**
     * One write of many Query messages on a session that already cached one of them: the hit (first
     * in line) and everything after it, an error included, answered in order.
     */
    @Test
    void pipelinedQueriesWithACacheHitAnswerInOrder() throws Exception {
        // Warmed twice: stored whether the cache admits a result on its first or its second miss.
        assertPipelineAnsweredLikeDirect(true, CACHED, "SELECT 'second' AS q", CACHED, "SELECT 1 / 0", CACHED,
                "SELECT v FROM pipe_t WHERE id = 2", "SELECT 1; SELECT 2", CACHED);
    }

    /**
     * A new session (its state not yet probed) pipelines a cached query first: it is held for the
     * probe, then answered from the cache, and the queries behind it keep their order.
     */
    @Test
    void pipelineBehindTheFirstProbeKeepsOrder() throws Exception {
        // Cache the entry in a first raw session.
        exchange(proxy.port(), new byte[][] {RawPgClient.query(CACHED), RawPgClient.query(CACHED)},
                RawPgClient.query("SELECT 0"), 1);

        assertPipelineAnsweredLikeDirect(false, CACHED, "SELECT 'after the hit' AS q",
                "SELECT v FROM pipe_t WHERE id = 1", CACHED);
    }

    /**
     * Writes pipelined between reads of what they change, each write seen for the first time (so held,
     * with everything behind it, while the catalog says which tables it writes): every answer arrives
     * in order, with the bytes a direct connection gets.
     */
    @Test
    void pipelinedWritesBetweenCachedReadsAnswerInOrder() throws Exception {
        assertPipelineAnsweredLikeDirect(true, CACHED, "UPDATE pipe_t SET v = 'changed' WHERE id = 1", CACHED,
                "INSERT INTO pipe_t VALUES (3, 'three')", CACHED, "DELETE FROM pipe_t WHERE id = 3",
                "UPDATE pipe_t SET v = 'one' WHERE id = 1", CACHED);
    }

    /**
     * Extended-protocol cycles in one write: inside a transaction block, a read of a view whose function
     * writes (its Sync waits until the catalog has judged it), COMMIT and reads of what it wrote, simple
     * and extended; then, once all are answered, the read that was cached before. None is stale: each
     * count equals what Postgres says right after.
     */
    @Test
    void pipelinedCyclesAfterAReadThatWritesAreNotStale() throws Exception {
        String count = "SELECT count(*) FROM pipe_log";
        byte[] pipeline = RawPgClient.concat(RawPgClient.query("BEGIN"),
                RawPgClient.parse("SELECT b FROM pipe_bumping"), RawPgClient.bind(), RawPgClient.execute(),
                RawPgClient.sync(), RawPgClient.query("COMMIT"), RawPgClient.query(count),
                RawPgClient.parse(count), RawPgClient.bind(), RawPgClient.execute(), RawPgClient.sync());
        long before = directCount(count);

        CacheStats.Snapshot stats = proxy.stats();
        List<String> rows = new ArrayList<>();
        try (RawPgClient client = RawPgClient.connect(proxy.port())) {
            client.startup(USER);
            for (int i = 0; i < 3; i++) {
                client.send(RawPgClient.query(count));
                client.awaitReadyForQuery();
            }
            client.send(pipeline);
            rows.addAll(dataRowsUntilReady(client, 5));
            client.send(RawPgClient.query(count));
            rows.addAll(dataRowsUntilReady(client, 1));
            client.send(RawPgClient.message('X', new byte[0]));
        }
        CachingProxy.Delta delta = proxy.since(stats);

        long after = directCount(count);
        assertThat(after).as("the view's function wrote a row").isEqualTo(before + 1);
        assertThat(rows).as("the view's row, then three counts").hasSize(4);
        assertThat(rows.subList(1, 4)).as("counts after COMMIT through the proxy (%s)", delta)
                .containsOnly(dataRowOf(after));
        assertThat(delta.hits()).as("the count was cached before the pipeline").isPositive();
    }

    private static List<String> dataRowsUntilReady(RawPgClient client, int readyCount) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int ready = 0; ready < readyCount; ) {
            RawPgClient.Message message = client.readMessage();
            if (message.type() == 'D') {
                rows.add("D:" + HexFormat.of().formatHex(message.body()));
            } else if (message.type() == 'Z') {
                ready++;
            }
        }
        return rows;
    }

    private static long directCount(String sql) throws Exception {
        try (var connection = PgEnvironment.get().direct(); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A one-column DataRow of the number in text, as {@link #exchange} renders it. */
    private static String dataRowOf(long n) {
        byte[] text = Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return "D:" + HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(6 + text.length)
                .putShort((short) 1).putInt(text.length).put(text).array());
    }

    /**
     * Sends the queries in one write through the proxy, then directly, and asserts the same messages
     * came back, at least one of them from the cache.
     *
     * @param warm run CACHED twice in the same session first (else the session starts unprobed)
     */
    private static void assertPipelineAnsweredLikeDirect(boolean warm, String... queries) throws Exception {
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (String sql : queries) {
            pipeline.writeBytes(RawPgClient.query(sql));
        }
        byte[][] warmUp = warm ? new byte[][] {RawPgClient.query(CACHED), RawPgClient.query(CACHED)} : null;

        CacheStats.Snapshot before = proxy.stats();
        List<String> viaProxy = exchange(proxy.port(), warmUp, pipeline.toByteArray(), queries.length);
        CachingProxy.Delta delta = proxy.since(before);
        List<String> direct = exchange(PgEnvironment.get().upstreamPort(), warmUp, pipeline.toByteArray(),
                queries.length);

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(delta.hits()).as("hits (%s)", delta).isGreaterThanOrEqualTo(1);
    }

    /**
     * Logs in as the superuser over a raw socket, optionally runs each of {@code warm} to completion, then sends
     * {@code pipeline} in one write and returns every message up to the {@code readyCount}-th
     * ReadyForQuery, as type and hex body.
     */
    static List<String> exchange(int port, byte[][] warm, byte[] pipeline, int readyCount) throws Exception {
        HexFormat hex = HexFormat.of();
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.startup(USER);
            if (warm != null) {
                for (byte[] query : warm) {
                    client.send(query);
                    client.awaitReadyForQuery();
                }
            }
            client.send(pipeline);
            List<String> messages = new ArrayList<>();
            int ready = 0;
            while (ready < readyCount) {
                RawPgClient.Message message = client.readMessage();
                messages.add(message.type() + ":" + hex.formatHex(message.body()));
                if (message.type() == 'Z') {
                    ready++;
                }
            }
            client.send(RawPgClient.message('X', new byte[0]));
            return messages;
        }
    }
}

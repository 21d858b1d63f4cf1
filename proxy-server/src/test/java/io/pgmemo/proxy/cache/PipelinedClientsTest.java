package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.Flush;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pipelined extended-protocol reads, as pgjdbc's batches, pgbench's {@code \startpipeline}, psycopg's
 * and asyncpg's pipelines send them: many Parse/Bind/Describe/Execute units under one Sync, and
 * Sync-ended cycles sent behind one still in flight. Every answer through the proxy equals the direct
 * one (bytes, rows, SQLSTATEs, pgjdbc's exceptions); a pipeline whose units were all read before is
 * answered from the cache. Each test reads its own keys, so no test warms another's entries.
 *
 * <p>The hit assertions come last in each test, after every comparison with direct.
 */
@ProxyTest
class PipelinedClientsTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final String READ = "SELECT id, v, n FROM pipe_clients_t WHERE id = $1";
    private static final String DIVIDE = "SELECT 1 / $1::int AS q";
    private static final String DIVIDE_BY_KEY_LESS_7 = "SELECT 100 / ($1::int - 7) AS q";
    private static final int INT4 = 23;
    private static final int UNITS = 10;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE pipe_questions_a (id int PRIMARY KEY, v text)",
                "CREATE TABLE pipe_questions_b (id int PRIMARY KEY, v text)",
                "INSERT INTO pipe_questions_a SELECT g, 'a' || g FROM generate_series(1, 30) g",
                "INSERT INTO pipe_questions_b SELECT g, 'b' || g FROM generate_series(1, 30) g",
                "CREATE TABLE pipe_clients_t (id int PRIMARY KEY, v text, n numeric)",
                "INSERT INTO pipe_clients_t SELECT g, 'v' || g, g * 1.5 FROM generate_series(1, 1000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE pipe_clients_t", "DROP TABLE pipe_questions_a", "DROP TABLE pipe_questions_b");
        } finally {
            proxy.close();
        }
    }

    // ---- pgjdbc: PreparedStatement.addBatch/executeBatch --------------------------------------------

    /**
     * A batch of SELECTs. pgjdbc 42.7 prepares a statement repeated in a batch as a named one at any
     * prepareThreshold (the Parse in the first batch only), sends a Bind/Describe portal/Execute per
     * entry with a row limit of one (it discards the rows: PortalSuspended) and then one Sync, and
     * returns update counts without throwing. Whatever it returns or throws directly, it must return or
     * throw through the proxy. Run three times on the same session: once the statement is named,
     * pgjdbc binds its parameters and asks for its results in binary, so the second run's units differ
     * from the first's (another key, other bytes) and the third repeats the second. Then every key
     * read on its own.
     */
    @ParameterizedTest(name = "prepareThreshold {0}")
    @ValueSource(strings = {"default", "1"})
    void pgjdbcBatchOfSelectsIsAnsweredFromTheCacheOnceRepeated(String prepareThreshold) throws Exception {
        int[] keys = keys("default".equals(prepareThreshold) ? 1 : 101, 20);
        try (Connection proxied = pgjdbc(proxy.port(), prepareThreshold);
             Connection direct = pgjdbc(PgEnvironment.get().upstreamPort(), prepareThreshold)) {
            BatchOutcome first = batch(proxied, READ, keys);
            BatchOutcome firstDirect = batch(direct, READ, keys);
            assertThat(first).as("first batch: through the proxy (left) vs direct (right)").isEqualTo(firstDirect);
            assertThat(firstDirect.updateCounts()).as("an update count per entry, directly").hasSize(keys.length);

            assertThat(batch(proxied, READ, keys)).as("second batch: through the proxy (left) vs direct (right)")
                    .isEqualTo(batch(direct, READ, keys)).isEqualTo(first);
            CacheStats.Snapshot before = proxy.stats();
            BatchOutcome third = batch(proxied, READ, keys);
            CachingProxy.Delta delta = proxy.since(before);
            assertThat(third).as("third batch: through the proxy (left) vs direct (right)")
                    .isEqualTo(batch(direct, READ, keys)).isEqualTo(first);

            for (int key : keys) {
                assertThat(select(proxied, key)).as("id %d read after the batches", key)
                        .isEqualTo(select(direct, key));
            }
            assertThat(delta.hits()).as("cache hits of the third batch (%s)", delta).isEqualTo(keys.length);
        }
    }

    /** What executeBatch returned or threw: update counts, and every exception of the chain. */
    record BatchOutcome(List<Integer> updateCounts, String sqlState, List<String> errors) {
    }

    /**
     * An entry that fails (division by zero) among entries that read: BatchUpdateException, its update
     * counts and its chain of errors as directly, twice.
     */
    @Test
    void pgjdbcBatchWithAFailingEntryThrowsAsDirectly() throws Exception {
        int[] keys = keys(1, 10);
        try (Connection proxied = pgjdbc(proxy.port(), "default");
             Connection direct = pgjdbc(PgEnvironment.get().upstreamPort(), "default")) {
            for (int round = 0; round < 2; round++) {
                BatchOutcome viaProxy = batch(proxied, DIVIDE_BY_KEY_LESS_7, keys);
                BatchOutcome viaDirect = batch(direct, DIVIDE_BY_KEY_LESS_7, keys);
                assertThat(viaProxy).as("round %d: through the proxy (left) vs direct (right)", round)
                        .isEqualTo(viaDirect);
                assertThat(viaDirect.sqlState()).as("round %d directly: %s", round, viaDirect).isNotNull();
            }
        }
    }

    /** {@code sql}, whose one parameter is an int, for each of {@code keys} in one batch. */
    private static BatchOutcome batch(Connection connection, String sql, int[] keys) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql.replace("$1", "?"))) {
            for (int key : keys) {
                st.setInt(1, key);
                st.addBatch();
            }
            try {
                return new BatchOutcome(boxed(st.executeBatch()), null, List.of());
            } catch (BatchUpdateException e) {
                List<String> errors = new ArrayList<>();
                for (SQLException next = e; next != null; next = next.getNextException()) {
                    errors.add(next.getSQLState() + " " + next.getMessage());
                }
                return new BatchOutcome(boxed(e.getUpdateCounts()), e.getSQLState(), errors);
            }
        }
    }

    private static List<Integer> boxed(int[] counts) {
        return Arrays.stream(counts).boxed().toList();
    }

    private static Outcome select(Connection connection, int key) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(READ.replace("$1", "?"))) {
            st.setInt(1, key);
            try (ResultSet rs = st.executeQuery()) {
                return Outcome.of(rs);
            }
        }
    }

    private static Connection pgjdbc(int port, String prepareThreshold) throws SQLException {
        Properties properties = PgEnvironment.props("user", USER, "preferQueryMode", "extended");
        if (!"default".equals(prepareThreshold)) {
            properties.setProperty("prepareThreshold", prepareThreshold);
        }
        return PgEnvironment.connect(port, properties);
    }

    // ---- raw protocol: units under one Sync -----------------------------------------------------------

    /** How the units name their statement: pgbench -M extended and pgjdbc, or pgbench -M prepared. */
    enum Statement {
        /** Parse of the unnamed statement in every unit. */
        UNNAMED,
        /** One Parse of a named statement at the start of the session's first pipeline, Binds of it after. */
        NAMED
    }

    /** UNITS units and one Sync, sent twice in a session: the direct bytes both times, the second from the cache. */
    @ParameterizedTest
    @EnumSource(Statement.class)
    void pipelineUnderOneSyncIsAnsweredFromTheCacheTheSecondTime(Statement statement) throws Exception {
        int[] keys = keys(statement == Statement.UNNAMED ? 201 : 301, UNITS);
        byte[] first = concat(prepare(statement), units(statement, keys), sync());
        byte[] again = concat(units(statement, keys), sync());

        List<Answer> viaProxy = exchange(proxy.port(), write(first, 1), write(again, 1));
        List<Answer> direct = exchange(PgEnvironment.get().upstreamPort(), write(first, 1), write(again, 1));

        assertSameMessages(viaProxy, direct);
        assertThat(RawSession.rows(viaProxy.get(1).messages())).as("one row per unit").hasSize(UNITS);
        assertThat(viaProxy.get(1).delta().hits()).as("cache hits of the second pipeline (%s)",
                viaProxy.get(1).delta()).isPositive();
    }

    /**
     * Every unit but one in the middle was read before (as a cycle of its own): the pipeline is answered
     * as directly, the unit never read before included.
     */
    @Test
    void pipelineWithOneMissInTheMiddleIsAnsweredAsDirectly() throws Exception {
        int[] warm = keys(401, UNITS);
        int[] mixed = IntStream.concat(IntStream.concat(Arrays.stream(warm, 0, UNITS / 2), IntStream.of(499)),
                Arrays.stream(warm, UNITS / 2, UNITS)).toArray();
        byte[] pipeline = concat(units(Statement.UNNAMED, mixed), sync());

        List<Answer> viaProxy = exchange(proxy.port(), warmUp(warm, write(pipeline, 1)));
        List<Answer> direct = exchange(PgEnvironment.get().upstreamPort(), warmUp(warm, write(pipeline, 1)));

        assertSameMessages(viaProxy, direct);
        assertThat(RawSession.rows(last(viaProxy).messages())).as("one row per unit").hasSize(UNITS + 1);
        assertWarmedUp(viaProxy, warm.length);
    }

    /**
     * A unit that fails (division by zero) among units read before: the units before it answered, the
     * ones after it skipped to the Sync, the ErrorResponse and ReadyForQuery as directly; twice.
     */
    @Test
    void pipelineWithAFailingUnitIsAnsweredAsDirectly() throws Exception {
        int[] warm = keys(501, UNITS);
        byte[] pipeline = concat(units(Statement.UNNAMED, Arrays.copyOfRange(warm, 0, UNITS / 2)),
                unit(DIVIDE, "", 0), units(Statement.UNNAMED, Arrays.copyOfRange(warm, UNITS / 2, UNITS)), sync());

        List<Answer> viaProxy = exchange(proxy.port(), warmUp(warm, write(pipeline, 1), write(pipeline, 1)));
        List<Answer> direct = exchange(PgEnvironment.get().upstreamPort(),
                warmUp(warm, write(pipeline, 1), write(pipeline, 1)));

        assertSameMessages(viaProxy, direct);
        List<String> answer = last(viaProxy).messages();
        assertThat(answer).as("one error").filteredOn(m -> m.startsWith("E:")).hasSize(1);
        assertThat(RawSession.rows(answer)).as("rows of the units before the error").hasSize(UNITS / 2);
        assertWarmedUp(viaProxy, warm.length);
    }

    /**
     * Two Sync-ended pipelines in one write: the first of units never read (misses), the second of units
     * read before. Both answered in order, as directly; the second, sent behind the first still in
     * flight, from the cache in its turn.
     */
    @Test
    void hitBehindAMissInFlightIsAnsweredInItsTurn() throws Exception {
        int[] warm = keys(601, UNITS);
        byte[] misses = concat(units(Statement.UNNAMED, keys(651, UNITS)), sync());
        byte[] hits = concat(units(Statement.UNNAMED, warm), sync());
        byte[] both = concat(misses, hits);

        List<Answer> viaProxy = exchange(proxy.port(), warmUp(warm, write(both, 2)));
        List<Answer> direct = exchange(PgEnvironment.get().upstreamPort(), warmUp(warm, write(both, 2)));

        assertSameMessages(viaProxy, direct);
        List<List<String>> rows = RawSession.rows(last(viaProxy).messages());
        assertThat(rows).as("the misses' rows, then the hits'").hasSize(2 * UNITS);
        assertThat(rows.get(0).get(0)).isEqualTo("651");
        assertThat(rows.get(UNITS).get(0)).isEqualTo("601");
        assertWarmedUp(viaProxy, warm.length);
        Answer pipelined = last(viaProxy);
        assertThat(pipelined.delta().hits()).as("cache hits of the second pipeline (%s)", pipelined.delta())
                .isPositive();
    }

    /**
     * A cycle opened as asyncpg opens it (Parse, Describe statement, Flush: it goes upstream as it
     * comes) with many Executes of one read the catalog has not judged, then one of another: mid-cycle
     * the catalog cannot be asked, so each assumes the worst, and both are asked at the next idle
     * point (the repeated one once, not filling the questions). The same pipeline again then drops
     * nothing. Answers as directly.
     */
    @Test
    void repeatedUnjudgedStatementsInAForwardedCycleLeaveRoomForTheOthers() throws Exception {
        String readA = "SELECT v FROM pipe_questions_a WHERE id = $1";
        String readB = "SELECT v FROM pipe_questions_b WHERE id = $1";
        Write[] writes = new Write[2];
        for (int i = 0; i < writes.length; i++) {
            String name = "q_forwarded_" + i;
            List<byte[]> parts = new ArrayList<>();
            parts.add(messages(new Parse(name, readA, new int[] {INT4}), new Describe(TargetKind.STATEMENT, name),
                    Flush.INSTANCE));
            for (int key = 1; key <= 20; key++) {
                parts.add(bound(name, key));
            }
            parts.add(unit(readB, "", 7));
            parts.add(sync());
            writes[i] = new Write(concat(parts.toArray(byte[][]::new)), 1, 1000);
        }

        List<Answer> viaProxy = exchange(proxy.port(), writes);
        List<Answer> direct = exchange(PgEnvironment.get().upstreamPort(), writes);

        assertSameMessages(viaProxy, direct);
        assertThat(RawSession.rows(viaProxy.get(1).messages())).as("a row per Execute").hasSize(21);
        assertThat(viaProxy.get(0).delta().invalidations()).as("first sight: the worst assumed (%s)",
                viaProxy.get(0).delta()).isPositive();
        assertThat(viaProxy.get(1).delta().invalidations()).as("both statements judged since (%s)",
                viaProxy.get(1).delta()).isZero();
    }

    // ---- exchanges ------------------------------------------------------------------------------------

    /**
     * Bytes sent in one write, how many ReadyForQuery end their answer, and how long the session then
     * stays idle (the proxy asks the catalog its questions at idle points, while nothing waits).
     */
    record Write(byte[] bytes, int readyCount, long idleMillis) {
    }

    /** The messages answering one write (type and hex body), and the proxy's counters around it. */
    record Answer(List<String> messages, CachingProxy.Delta delta) {
    }

    private static Write write(byte[] bytes, int readyCount) {
        return new Write(bytes, readyCount, 0);
    }

    /**
     * Each key's single-unit cycle, each sent twice and waited for (stored whether the cache admits a
     * result on its first or its second miss), then once more (a hit, as the cache answers lone cycles
     * today), then {@code writes}.
     */
    private static Write[] warmUp(int[] keys, Write... writes) {
        List<Write> all = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int key : keys) {
                all.add(write(concat(unit(READ, "", key), sync()), 1));
            }
        }
        all.addAll(List.of(writes));
        return all.toArray(Write[]::new);
    }

    /** The warm-up's last round (the writes before the last {@code keys} answers) was answered from the cache. */
    private static void assertWarmedUp(List<Answer> answers, int keys) {
        long hits = answers.subList(2 * keys, 3 * keys).stream().mapToLong(a -> a.delta().hits()).sum();
        assertThat(hits).as("hits of the warm-up's third round of single cycles").isEqualTo(keys);
    }

    /** One superuser session on {@code port}: each write sent at once, answered up to its ReadyForQuerys. */
    private static List<Answer> exchange(int port, Write... writes) throws Exception {
        HexFormat hex = HexFormat.of();
        List<Answer> answers = new ArrayList<>();
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.startup(USER);
            for (Write write : writes) {
                CacheStats.Snapshot before = proxy.stats();
                client.send(write.bytes());
                List<String> messages = new ArrayList<>();
                for (int ready = 0; ready < write.readyCount(); ) {
                    RawPgClient.Message message = client.readMessage();
                    messages.add(message.type() + ":" + hex.formatHex(message.body()));
                    if (message.type() == 'Z') {
                        ready++;
                    }
                }
                answers.add(new Answer(messages, proxy.since(before)));
                Thread.sleep(write.idleMillis());
            }
            client.send(RawPgClient.message('X', new byte[0]));
        }
        return answers;
    }

    private static void assertSameMessages(List<Answer> viaProxy, List<Answer> direct) {
        assertThat(viaProxy).hasSameSizeAs(direct);
        for (int i = 0; i < viaProxy.size(); i++) {
            assertThat(viaProxy.get(i).messages()).as("answer to write %d: through the proxy (left) vs direct", i)
                    .isEqualTo(direct.get(i).messages());
        }
    }

    private static Answer last(List<Answer> answers) {
        return answers.get(answers.size() - 1);
    }

    // ---- messages -------------------------------------------------------------------------------------

    private static final String NAMED = "s_pipe_clients";

    /** What comes before the first unit of a session: the named statement's Parse, or nothing. */
    private static byte[] prepare(Statement statement) {
        return statement == Statement.NAMED ? messages(new Parse(NAMED, READ, new int[] {INT4})) : new byte[0];
    }

    /** A unit per key reading it: [Parse,] Bind (text parameter, text results), Describe portal, Execute. */
    private static byte[] units(Statement statement, int[] keys) {
        List<byte[]> units = new ArrayList<>();
        for (int key : keys) {
            units.add(statement == Statement.NAMED ? bound(NAMED, key) : unit(READ, "", key));
        }
        return concat(units.toArray(byte[][]::new));
    }

    /** Parse of {@code sql} as {@code name} (int4 parameter), then {@link #bound}. */
    private static byte[] unit(String sql, String name, int key) {
        return concat(messages(new Parse(name, sql, new int[] {INT4})), bound(name, key));
    }

    /** Bind of the unnamed portal to statement {@code name} with {@code key} in text, Describe portal, Execute. */
    private static byte[] bound(String name, int key) {
        byte[] value = Integer.toString(key).getBytes(StandardCharsets.US_ASCII);
        return messages(new Bind("", name, new short[0], List.of(value), new short[0]),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0));
    }

    private static byte[] sync() {
        return messages(Sync.INSTANCE);
    }

    private static int[] keys(int first, int count) {
        return IntStream.range(first, first + count).toArray();
    }

    private static byte[] messages(FrontendMessage... messages) {
        return RawPgClient.messages(messages);
    }

    private static byte[] concat(byte[]... parts) {
        return RawPgClient.concat(parts);
    }
}

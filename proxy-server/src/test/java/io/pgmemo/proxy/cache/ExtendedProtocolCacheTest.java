package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.Flush;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import io.pgmemo.proxy.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Extended-protocol cycles (Parse, Bind, Describe, Execute, Sync) answered from the cache: every
 * message exactly as a direct connection gets it, statement bookkeeping kept right when a hit answers a
 * Parse, and pgjdbc's prepared statements (named, binary) served.
 */
@ProxyTest
class ExtendedProtocolCacheTest {
    private static final String SQL = "SELECT id, v, n, created FROM ext_t WHERE id = $1";
    private static final int INT4 = 23;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE ext_t (id int PRIMARY KEY, v text, n numeric, created timestamptz)",
                "INSERT INTO ext_t SELECT g, 'v' || g, g * 1.5, timestamptz '2024-01-01' + g * interval '1 day'"
                        + " FROM generate_series(1, 20) g",
                "CREATE TABLE ext_log (n int)",
                "CREATE FUNCTION ext_bump() RETURNS int VOLATILE LANGUAGE sql AS 'INSERT INTO ext_log VALUES (1) RETURNING 1'",
                "CREATE VIEW ext_bumping AS SELECT ext_bump() AS b");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE ext_t", "DROP VIEW ext_bumping", "DROP FUNCTION ext_bump()", "DROP TABLE ext_log");
        } finally {
            proxy.close();
        }
    }

    /** pgbench -M extended's and pgjdbc's shape: unnamed statement, Describe portal, binary results. */
    @Test
    void unnamedCycleIsAnsweredByteForByte() throws Exception {
        byte[] cycle = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 1, binaryInt(3)),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        assertAnsweredLikeDirect(new byte[][] {cycle, cycle}, cycle, 1, 1);
    }

    /** Describe statement as well (ParameterDescription), text parameters and results. */
    @Test
    void describeStatementVariantIsAnsweredByteForByte() throws Exception {
        byte[] cycle = messages(new Parse("", SQL, new int[0]), new Describe(TargetKind.STATEMENT, ""),
                bind("", "", 0, text("4")), new Execute("", 0), new Close(TargetKind.PORTAL, ""), Sync.INSTANCE);
        assertAnsweredLikeDirect(new byte[][] {cycle, cycle}, cycle, 1, 1);
    }

    /** Different parameter values or result formats are different entries. */
    @Test
    void parameterValuesAndFormatsAreInTheKey() throws Exception {
        byte[] five = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0, text("5")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] sixBinary = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 1, binaryInt(6)),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] sixText = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0, text("6")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] pipeline = concat(five, sixBinary, sixText, five);
        assertAnsweredLikeDirect(new byte[][] {five, five, sixBinary, sixBinary}, pipeline, 4, 1);
    }

    /**
     * A hit answers a named statement's Parse, so the upstream does not have it: a later miss binding
     * it, SQL EXECUTE and DEALLOCATE of it, and a Bind after DEALLOCATE all answer as directly.
     */
    @Test
    void namedStatementAnsweredFromTheCacheIsPreparedUpstreamWhenNeeded() throws Exception {
        byte[] parseAndRun = messages(new Parse("s_named", SQL, new int[] {INT4}), bind("", "s_named", 0, text("7")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] close = messages(new Close(TargetKind.STATEMENT, "s_named"), Sync.INSTANCE);
        byte[] runAnother = messages(bind("", "s_named", 0, text("8")), new Describe(TargetKind.PORTAL, ""),
                new Execute("", 0), Sync.INSTANCE);
        byte[] pipeline = concat(parseAndRun, runAnother, messages(new Query("EXECUTE s_named(9)")),
                messages(new Query("DEALLOCATE s_named")), runAnother);
        assertAnsweredLikeDirect(new byte[][] {parseAndRun, close, parseAndRun, close}, pipeline, 5, 1);
    }

    /**
     * asyncpg prepares with Parse, Describe statement and Flush, and waits for the answer before it
     * binds: the statement is known from that ParseComplete, and Bind-only cycles are answered from
     * the cache.
     */
    @Test
    void statementPreparedWithFlushIsAnsweredLater() throws Exception {
        CacheStats.Snapshot before = proxy.stats();
        List<String> viaProxy = prepareWithFlushThenRun(proxy.port());
        CachingProxy.Delta delta = proxy.since(before);
        assertThat(viaProxy).isEqualTo(prepareWithFlushThenRun(PgEnvironment.get().upstreamPort()));
        assertThat(delta.hits()).as("hits (%s)", delta).isGreaterThanOrEqualTo(1);
    }

    private static List<String> prepareWithFlushThenRun(int port) throws Exception {
        HexFormat hex = HexFormat.of();
        List<String> messages = new ArrayList<>();
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.startup(PgEnvironment.SUPERUSER);
            client.send(messages(new Parse("s_flushed", SQL, new int[0]),
                    new Describe(TargetKind.STATEMENT, "s_flushed"), Flush.INSTANCE));
            for (int i = 0; i < 3; i++) { // ParseComplete, ParameterDescription, RowDescription
                RawPgClient.Message message = client.readMessage();
                messages.add(message.type() + ":" + hex.formatHex(message.body()));
            }
            byte[] run = messages(bind("", "s_flushed", 0, text("17")), new Execute("", 0), Sync.INSTANCE);
            for (int i = 0; i < 4; i++) {
                client.send(run);
                RawPgClient.Message message;
                do {
                    message = client.readMessage();
                    messages.add(message.type() + ":" + hex.formatHex(message.body()));
                } while (message.type() != 'Z');
            }
        }
        return messages;
    }

    /** Close of a statement whose Parse a hit answered, then a Bind of it: an error, as directly. */
    @Test
    void closeAfterAHitIsHonoured() throws Exception {
        byte[] parseAndRun = messages(new Parse("s_closed", SQL, new int[] {INT4}), bind("", "s_closed", 0, text("18")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] close = messages(new Close(TargetKind.STATEMENT, "s_closed"), Sync.INSTANCE);
        byte[] runAgain = messages(bind("", "s_closed", 0, text("18")), new Execute("", 0), Sync.INSTANCE);
        assertAnsweredLikeDirect(new byte[][] {parseAndRun, close, parseAndRun, close},
                concat(parseAndRun, close, runAgain), 3, 1);
    }

    /** A named portal, bound and executed in one cycle, is answered like the unnamed one. */
    @Test
    void namedPortalCycleIsAnsweredByteForByte() throws Exception {
        byte[] cycle = messages(new Parse("", SQL, new int[] {INT4}), bind("p_named", "", 0, text("19")),
                new Describe(TargetKind.PORTAL, "p_named"), new Execute("p_named", 0),
                new Close(TargetKind.PORTAL, "p_named"), Sync.INSTANCE);
        assertAnsweredLikeDirect(new byte[][] {cycle, cycle}, cycle, 1, 1);
    }

    /** Parse of a name the session already has fails upstream; a hit must not hide that. */
    @Test
    void parseOfAnExistingNameFailsAsDirectly() throws Exception {
        byte[] parseAndRun = messages(new Parse("s_twice", SQL, new int[] {INT4}), bind("", "s_twice", 0, text("10")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] close = messages(new Close(TargetKind.STATEMENT, "s_twice"), Sync.INSTANCE);
        byte[] pipeline = concat(parseAndRun, parseAndRun, messages(new Query("DISCARD ALL")), parseAndRun);
        assertAnsweredLikeDirect(new byte[][] {parseAndRun, close, parseAndRun, close}, pipeline, 4, 1);
    }

    /** After an error the upstream skips to Sync; cached cycles around it answer in order. */
    @Test
    void errorsSkipToSyncAndHitsKeepTheirPlace() throws Exception {
        byte[] cached = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0, text("11")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        byte[] divide = messages(new Parse("", "SELECT 1 / $1::int", new int[0]), bind("", "", 0, text("0")),
                new Execute("", 0), Sync.INSTANCE);
        byte[] wrongCount = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0),
                new Execute("", 0), Sync.INSTANCE);
        byte[] pipeline = concat(cached, divide, cached, wrongCount, cached);
        assertAnsweredLikeDirect(new byte[][] {cached, cached}, pipeline, 5, 1);
    }

    /** An Execute with a row limit suspends the portal: forwarded, never cached. */
    @Test
    void rowLimitedExecuteIsForwardedAndNotStored() throws Exception {
        String sql = "SELECT id FROM ext_t WHERE id < $1 ORDER BY id";
        byte[] limited = messages(new Parse("", sql, new int[0]), bind("", "", 0, text("6")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 2), new Execute("", 2), Sync.INSTANCE);
        CacheStats.Snapshot before = proxy.stats();
        List<String> viaProxy = PipeliningTest.exchange(proxy.port(), new byte[][] {limited, limited}, limited, 1);
        proxy.since(before).assertNothingStoredOrHit(sql);
        assertThat(viaProxy).isEqualTo(PipeliningTest.exchange(PgEnvironment.get().upstreamPort(),
                new byte[][] {limited, limited}, limited, 1));
        assertThat(viaProxy).anyMatch(message -> message.startsWith("s:"));
    }

    /**
     * A Bind whose parameter runs past its end, held while idle or forwarded inside a transaction:
     * 08P01 and a close, and the next session is answered from the cache as before.
     */
    @Test
    void malformedBindGets08P01AndClose() throws Exception {
        byte[] truncatedValue = ByteBuffer.allocate(2 + 2 + 2 + 4).putShort((short) 0).putShort((short) 0)
                .putShort((short) 1).putInt(100).array();
        byte[] malformedBind = RawPgClient.message('B', truncatedValue);
        byte[] cached = messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0, text("20")),
                new Describe(TargetKind.PORTAL, ""), new Execute("", 0), Sync.INSTANCE);
        // A Bind that opens its cycle is looked at before anything is held, one after a Parse when held.
        byte[][] cycles = {concat(messages(new Parse("", SQL, new int[] {INT4})), malformedBind), malformedBind};
        for (byte[] before : new byte[][] {new byte[0], messages(new Query("BEGIN"))}) {
            for (byte[] cycle : cycles) {
                try (RawPgClient client = RawPgClient.connect(proxy.port())) {
                    client.startup(PgEnvironment.SUPERUSER);
                    if (before.length > 0) {
                        client.send(before);
                        client.awaitReadyForQuery();
                    }
                    client.send(cycle);
                    assertThat(client.readError().sqlState()).isEqualTo("08P01");
                    assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
                }
            }
        }
        assertAnsweredLikeDirect(new byte[][] {cached, cached}, cached, 1, 1);
    }

    /**
     * In a transaction block a cycle goes upstream as it comes, its Describe undecoded: one of an
     * unknown kind gets the upstream's own error, the block fails as directly, and the session goes on.
     */
    @Test
    void describeOfAnUnknownKindInABlockIsAnsweredAsDirectly() throws Exception {
        byte[] badDescribe = RawPgClient.message('D', new byte[] {'X', 0});
        byte[] begin = messages(new Query("BEGIN"));
        byte[] cycle = concat(messages(new Parse("", SQL, new int[] {INT4}), bind("", "", 0, text("3"))),
                badDescribe, messages(new Execute("", 0), Sync.INSTANCE));
        byte[] after = messages(new Query("SELECT 1"), new Query("ROLLBACK"), new Query("SELECT 2"));
        List<String> viaProxy = PipeliningTest.exchange(proxy.port(), new byte[][] {begin}, concat(cycle, after), 4);
        List<String> direct = PipeliningTest.exchange(PgEnvironment.get().upstreamPort(), new byte[][] {begin},
                concat(cycle, after), 4);
        assertThat(viaProxy).isEqualTo(direct);
        // SQLSTATE fields, hex as exchange gives bodies: C08P01 (the Describe), C25P02 (the failed block).
        assertThat(viaProxy).anyMatch(message -> message.startsWith("E:") && message.contains("433038503031"));
        assertThat(viaProxy).anyMatch(message -> message.startsWith("E:") && message.contains("433235503032"));
    }

    /**
     * A read of a view that calls a function which writes: not cacheable, and, as for a simple Query, it
     * drops what the function may have changed, so the cached count of the table it wrote is not served.
     */
    @Test
    void readOfAViewHidingAWriteInvalidates() throws Exception {
        String count = "SELECT count(*) AS n FROM ext_log";
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED)) {
            CacheStats.Snapshot before = proxy.stats();
            for (int round = 0; round < 3; round++) {
                assertThat(Outcome.of(proxied, count)).isEqualTo(Outcome.of(direct, count));
            }
            assertThat(proxy.since(before).hits()).as("count cached").isPositive();
            assertThat(Outcome.of(proxied, "SELECT b FROM ext_bumping").failed()).isFalse();
            assertThat(Outcome.of(proxied, count)).as("count after the hidden write")
                    .isEqualTo(Outcome.of(direct, count));
        }
    }

    /** A PreparedStatement past prepareThreshold (a named statement) with binary transfer. */
    @Test
    void pgjdbcNamedStatementWithBinaryTransfer() throws Exception {
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED_BINARY);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED_BINARY)) {
            CacheStats.Snapshot before = proxy.stats();
            for (int round = 0; round < 4; round++) {
                for (int id = 12; id <= 14; id++) {
                    assertThat(read(proxied, id)).as("id %d through the proxy vs direct", id)
                            .isEqualTo(read(direct, id));
                }
            }
            assertThat(proxy.since(before).hits()).as("hits").isGreaterThanOrEqualTo(3);
        }
    }

    /**
     * pgjdbc's default prepareThreshold (5): the sixth execution on prepares a named statement. Hits
     * answer some of its Parses, yet the session's pg_prepared_statements, read through the proxy,
     * lists what it lists directly: every statement the client prepared exists upstream when asked.
     */
    @Test
    void pgjdbcStatementPastPrepareThreshold() throws Exception {
        String statements = "SELECT name, statement, parameter_types::text FROM pg_prepared_statements ORDER BY name";
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED)) {
            CacheStats.Snapshot before = proxy.stats();
            for (int round = 0; round < 8; round++) {
                for (int id = 1; id <= 2; id++) {
                    assertThat(read(proxied, id)).as("round %d, id %d", round, id).isEqualTo(read(direct, id));
                }
            }
            assertThat(proxy.since(before).hits()).as("hits").isGreaterThanOrEqualTo(4);
            Outcome prepared = Outcome.of(direct, statements);
            assertThat(prepared.text()).as("named statements directly").isNotEmpty();
            assertThat(Outcome.of(proxied, statements)).isEqualTo(prepared);
        }
    }

    /** A SET keeps the session's prepared statements: pgjdbc's named statement is still answered after it. */
    @Test
    void pgjdbcNamedStatementIsStillAnsweredAfterSet() throws Exception {
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED)) {
            for (int round = 0; round < 7; round++) {
                assertThat(read(proxied, 3)).isEqualTo(read(direct, 3));
            }
            for (Connection connection : List.of(proxied, direct)) {
                try (java.sql.Statement st = connection.createStatement()) {
                    st.execute("SET application_name = 'after set'");
                }
            }
            CacheStats.Snapshot before = proxy.stats();
            for (int round = 0; round < 4; round++) {
                assertThat(read(proxied, 3)).as("round %d after SET", round).isEqualTo(read(direct, 3));
            }
            assertThat(proxy.since(before).hits()).as("hits after SET").isGreaterThanOrEqualTo(2);
        }
    }

    /** Another session's cached Parse of the same statement, then a miss on it: prepared upstream lazily. */
    @Test
    void pgjdbcSecondSessionHitsItsFirstParse() throws Exception {
        try (Connection first = connect(proxy.port(), QueryMode.EXTENDED_BINARY)) {
            for (int round = 0; round < 3; round++) {
                read(first, 15);
            }
        }
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED_BINARY);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED_BINARY)) {
            CacheStats.Snapshot before = proxy.stats();
            assertThat(read(proxied, 15)).isEqualTo(read(direct, 15));
            assertThat(proxy.since(before).hits()).as("hits").isEqualTo(1);
            assertThat(read(proxied, 16)).isEqualTo(read(direct, 16));
            assertThat(read(proxied, 15)).isEqualTo(read(direct, 15));
        }
    }

    /** setFetchSize in a transaction: pgjdbc fetches with row limits; forwarded, rows as directly. */
    @Test
    void pgjdbcFetchSizeInATransaction() throws Exception {
        String sql = "SELECT id, v FROM ext_t WHERE id > ? ORDER BY id";
        try (Connection proxied = connect(proxy.port(), QueryMode.EXTENDED);
             Connection direct = connect(PgEnvironment.get().upstreamPort(), QueryMode.EXTENDED)) {
            proxied.setAutoCommit(false);
            direct.setAutoCommit(false);
            CacheStats.Snapshot before = proxy.stats();
            for (int round = 0; round < 3; round++) {
                assertThat(fetch(proxied, sql)).isEqualTo(fetch(direct, sql));
            }
            proxy.since(before).assertNothingStoredOrHit(sql);
            proxied.commit();
            direct.commit();
        }
    }

    private static Outcome fetch(Connection connection, String sql) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setFetchSize(3);
            st.setInt(1, 2);
            try (ResultSet rs = st.executeQuery()) {
                return Outcome.of(rs);
            }
        }
    }

    private static Outcome read(Connection connection, int id) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(SQL.replace("$1", "?"))) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return Outcome.of(rs);
            }
        }
    }

    private static Connection connect(int port, QueryMode mode) throws SQLException {
        Properties properties = mode.properties();
        properties.setProperty("user", PgEnvironment.SUPERUSER);
        return PgEnvironment.connect(port, properties);
    }

    /**
     * Runs {@code warm} (each to its ReadyForQuery) and then {@code pipeline} in one write, through the
     * proxy and directly; asserts the same messages came back and that the proxy answered at least
     * {@code minHits} from the cache.
     */
    private static void assertAnsweredLikeDirect(byte[][] warm, byte[] pipeline, int readyCount, int minHits)
            throws Exception {
        CacheStats.Snapshot before = proxy.stats();
        List<String> viaProxy = PipeliningTest.exchange(proxy.port(), warm, pipeline, readyCount);
        CachingProxy.Delta delta = proxy.since(before);
        List<String> direct = PipeliningTest.exchange(PgEnvironment.get().upstreamPort(), warm, pipeline,
                readyCount);
        assertThat(viaProxy).isEqualTo(direct);
        assertThat(delta.hits()).as("hits (%s)", delta).isGreaterThanOrEqualTo(minHits);
    }

    private static Bind bind(String portal, String statement, int format, byte[]... values) {
        short[] formats = format == 0 ? new short[0] : new short[] {(short) format};
        List<byte[]> parameters = new ArrayList<>(List.of(values));
        return new Bind(portal, statement, formats, parameters, formats);
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] binaryInt(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static byte[] messages(FrontendMessage... messages) {
        return RawPgClient.messages(messages);
    }

    private static byte[] concat(byte[]... parts) {
        return RawPgClient.concat(parts);
    }
}

package io.pgmemo.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.cache.CacheConfig;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.cache.SessionCache;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The work pgmemo's event loop does for one pgbench TPC-B-like transaction under {@code -M
 * prepared}: seven statements, each a Bind, Describe, Execute and Sync as libpq sends them, and the
 * upstream's replies (BindComplete, NoData or RowDescription and DataRow, CommandComplete,
 * ReadyForQuery). Nothing of it is answered from the cache: what the cache adds is following the
 * prepared statements and judging and invalidating what each Execute may write.
 *
 * <ul>
 *   <li>{@code relay}: the cache off, the baseline: each message noted in a reply queue and written
 *       upstream, each reply through the queue to the client.</li>
 *   <li>{@code cached}: the same transaction through a {@link SessionCache} whose catalog verdicts on
 *       the statements are kept (as after a session's first transaction).</li>
 * </ul>
 *
 * Set-up prepares the statements and runs the transaction against a real PostgreSQL (embedded) until
 * the session has probed its state and asked the catalog about the writes with requests of its own;
 * the replies of the first run without such requests become the canned ones. {@link Ratios} prints {@code cached} against
 * {@code relay}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class WritePathBenchmark {
    @Benchmark
    public int relay(Transactions transactions) throws RepliesOutOfStep {
        return transactions.relay();
    }

    @Benchmark
    public int cached(Transactions transactions) throws RepliesOutOfStep {
        return transactions.cached();
    }

    /** A session with the cache on and one with it off, and the canned frames of one transaction. */
    @State(Scope.Thread)
    public static class Transactions {
        private static final String USER = "postgres";
        private static final String DATABASE = "postgres";
        /** pgbench's built-in tpcb-like script, with its parameters as pgbench -M prepared binds them. */
        private static final String[][] SCRIPT = {
            {"BEGIN"},
            {"UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2", "-1234", "4242"},
            {"SELECT abalance FROM pgbench_accounts WHERE aid = $1", "4242"},
            {"UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2", "-1234", "7"},
            {"UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2", "-1234", "1"},
            {"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)",
                "7", "1", "4242", "-1234"},
            {"END"},
        };
        private static final Duration A_DAY = Duration.ofDays(1);

        /** Per statement: its Bind, Describe, Execute and Sync, one after the other. */
        private final List<ByteBuf> requests = new ArrayList<>();
        /** Per statement: the upstream's replies to it, one after the other. */
        private final List<ByteBuf> replies = new ArrayList<>();
        private EmbeddedPostgres postgres;
        private PostgresSocket socket;
        private QueryCache queryCache;
        private BenchSide cachedSide;
        private SessionCache session;
        private BenchSide relayedSide;

        @Setup
        public void setUp() throws Exception {
            postgres = EmbeddedPostgres.builder().start();
            try (Connection admin = postgres.getPostgresDatabase().getConnection();
                 Statement st = admin.createStatement()) {
                // pgbench -i's tables, with fewer rows.
                st.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))");
                st.execute("CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))");
                st.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
                st.execute("CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
                        + " filler char(22))");
                st.execute("INSERT INTO pgbench_branches VALUES (1, 0, '')");
                st.execute("INSERT INTO pgbench_tellers SELECT tid, 1, 0, '' FROM generate_series(1, 10) tid");
                st.execute("INSERT INTO pgbench_accounts SELECT aid, 1, 0, '' FROM generate_series(1, 10000) aid");
            }
            queryCache = new QueryCache(CacheConfig.defaults().withTtl(A_DAY).withCatalogMaxAge(A_DAY), false);
            cachedSide = BenchSide.open();
            session = cachedSide.sessionCache(queryCache, DATABASE);
            socket = PostgresSocket.open(postgres.getPort(), USER, DATABASE);
            cachedSide.pump(socket, null);
            prepareAndLearn();
            relayedSide = BenchSide.open();
            relayedSide.startedUp(lastReply(0));
            cached();
            if (cachedSide.replies().awaitingUpstream() != 0 || session.isBusy()) {
                throw new IllegalStateException("a canned transaction left the session waiting");
            }
        }

        /** Prepares the statements, then runs the transaction upstream until the session sends nothing of its own. */
        private void prepareAndLearn() throws Exception {
            for (int i = 0; i < SCRIPT.length; i++) {
                ByteBuf parse = Unpooled.buffer();
                new Parse(name(i), SCRIPT[i][0], new int[0]).encode(parse);
                Sync.INSTANCE.encode(parse);
                forEachMessage(parse, session::onClientFrame);
                parse.release();
                cachedSide.pump(socket, null);
                requests.add(statement(i));
            }
            // Each idle point asks the catalog one question the run before left; done when a run asks none.
            for (int run = 0; run < 10; run++) {
                replies.forEach(ByteBuf::release);
                replies.clear();
                int sent = 0;
                for (ByteBuf request : requests) {
                    ByteBuf replied = Unpooled.directBuffer();
                    forEachMessage(request, session::onClientFrame);
                    sent += cachedSide.pump(socket, reply -> replied.writeBytes(reply.content(),
                            reply.content().readerIndex(), reply.length()));
                    replies.add(replied);
                }
                if (sent == 4 * requests.size()) {
                    break;
                }
            }
            BenchSide.expectWritten(cachedSide.client(), -1);
        }

        private static String name(int statement) {
            return "P_" + statement;
        }

        /** Bind, Describe (portal), Execute and Sync of one statement, as libpq's PQexecPrepared sends them. */
        private static ByteBuf statement(int i) {
            List<byte[]> parameters = new ArrayList<>();
            for (int p = 1; p < SCRIPT[i].length; p++) {
                parameters.add(SCRIPT[i][p].getBytes(StandardCharsets.US_ASCII));
            }
            ByteBuf out = Unpooled.directBuffer();
            new Bind("", name(i), new short[0], parameters, new short[0]).encode(out);
            new Describe(TargetKind.PORTAL, "").encode(out);
            new Execute("", 0).encode(out);
            Sync.INSTANCE.encode(out);
            return out;
        }

        @TearDown
        public void tearDown() throws Exception {
            session.close();
            boolean leaked = requests.stream().anyMatch(b -> b.refCnt() != 1)
                    || replies.stream().anyMatch(b -> b.refCnt() != 1);
            cachedSide.close();
            relayedSide.close();
            requests.forEach(ByteBuf::release);
            replies.forEach(ByteBuf::release);
            queryCache.close();
            socket.close();
            postgres.close();
            if (leaked) {
                throw new IllegalStateException("buffers not released: a frame leaked");
            }
        }

        int relay() throws RepliesOutOfStep {
            int written = 0;
            for (int i = 0; i < requests.size(); i++) {
                forEachMessage(requests.get(i), frame -> relayedSide.sendUpstream(frame, null));
                written += exchange(relayedSide, i);
            }
            return written;
        }

        int cached() throws RepliesOutOfStep {
            int written = 0;
            for (int i = 0; i < requests.size(); i++) {
                forEachMessage(requests.get(i), session::onClientFrame);
                written += exchange(cachedSide, i);
            }
            return written;
        }

        /** The rest of a statement: its four messages taken off the upstream, the replies relayed. */
        private int exchange(BenchSide side, int statement) throws RepliesOutOfStep {
            int sent = side.takeSent();
            if (sent != 4) {
                throw new IllegalStateException("statement " + statement + ": " + sent + " messages went upstream, not 4");
            }
            int count = forEachMessage(replies.get(statement), reply -> side.replies().onReply(reply, reply.content()));
            return BenchSide.expectWritten(side.client(), count);
        }

        /** What is done with each message: hand it to a session, or to its reply queue. */
        @FunctionalInterface
        private interface FrameAction {
            void accept(Frame frame) throws RepliesOutOfStep;
        }

        /** Each whole message of {@code messages} as a retained slice, as the decoders cut them; returns how many. */
        private static int forEachMessage(ByteBuf messages, FrameAction each) throws RepliesOutOfStep {
            int count = 0;
            for (int at = messages.readerIndex(); at < messages.writerIndex(); count++) {
                int length = 1 + messages.getInt(at + 1);
                each.accept(new Frame(messages.retainedSlice(at, length)));
                at += length;
            }
            return count;
        }

        /** The last reply to the {@code statement}th statement (its ReadyForQuery), as a retained slice. */
        private Frame lastReply(int statement) {
            ByteBuf messages = replies.get(statement);
            return new Frame(messages.retainedSlice(messages.writerIndex() - 6, 6));
        }
    }
}

package io.pgmemo.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.protocol.Frame;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.cache.SessionCache;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The work pgmemo's event loop does for one pgbench select-only exchange: the client's Query
 * ("SELECT abalance FROM pgbench_accounts WHERE aid = N;"), then the upstream's RowDescription,
 * DataRow, CommandComplete and ReadyForQuery. Channels are {@link EmbeddedChannel}s (what is written
 * is flushed, taken and released: no socket), frames are retained slices of one buffer as the
 * decoders cut them, and the replies are those PostgreSQL sent for the same read.
 *
 * <ul>
 *   <li>{@code relay}: the cache off, the baseline: the Query noted in a {@link ReplyQueue} and
 *       written upstream, each reply through the queue to the client.</li>
 *   <li>{@code miss}: the same exchange through a {@link SessionCache}, a new key every time: text,
 *       shape, key, look-up, miss, admission, the copy of the replies and their store in the memory
 *       tier (emptied before every iteration, so that every miss is admitted and stored).</li>
 *   <li>{@code hit}: the same key every time, answered from the cache; nothing goes upstream.</li>
 * </ul>
 *
 * Before a read can be a miss the session probes its state and asks the catalog, with requests of
 * its own: set-up runs them against a real PostgreSQL (embedded) and fails unless a second read of the
 * same shape then goes upstream alone, as a capture. {@link Ratios} prints each against {@code relay}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The miss path is long: it is still getting faster after three iterations.
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// As ReadPathBenchmark: a fixed, pre-touched heap, so that first touches of memory are not measured.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class SessionPathBenchmark {
    @Benchmark
    public int relay(Sessions sessions) throws RepliesOutOfStep {
        return sessions.relay();
    }

    @Benchmark
    public int miss(Sessions sessions) throws RepliesOutOfStep {
        return sessions.miss();
    }

    @Benchmark
    public int hit(Sessions sessions) {
        return sessions.hit();
    }

    /** A session with the cache on and one with it off, their channels, and the canned frames. */
    @State(Scope.Thread)
    public static class Sessions {
        private static final String USER = "postgres";
        private static final String DATABASE = "postgres";
        private static final byte[] QUERY_TEXT = "SELECT abalance FROM pgbench_accounts WHERE aid = "
                .getBytes(StandardCharsets.US_ASCII);
        private static final int ACCOUNTS = 10_000;
        /** The read that set-up stores, which {@code hit} repeats. */
        private static final long STORED_AID = 2;
        /** Long enough that no entry expires and no catalog answer is asked again within a run. */
        private static final Duration A_DAY = Duration.ofDays(1);

        private final ByteBuf queryBuffer = Unpooled.directBuffer(128);
        /** RowDescription, DataRow, CommandComplete, ReadyForQuery as PostgreSQL sent them. */
        private final ByteBuf replyBuffer = Unpooled.directBuffer(128);
        private final int[] replyEnds = new int[4];
        private EmbeddedPostgres postgres;
        private PostgresSocket socket;
        private QueryCache queryCache;
        private BenchSide cached;
        private SessionCache session;
        private BenchSide relayed;
        private long nextAid = 1_000_000;
        private CacheStats.Snapshot beforeIteration;

        @Setup
        public void setUp() throws Exception {
            postgres = EmbeddedPostgres.builder().start();
            try (Connection admin = postgres.getPostgresDatabase().getConnection();
                 Statement st = admin.createStatement()) {
                // pgbench -i's table, with fewer rows.
                st.execute("CREATE TABLE pgbench_accounts"
                        + " (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
                st.execute("INSERT INTO pgbench_accounts SELECT aid, 1, 0, ''"
                        + " FROM generate_series(1, " + ACCOUNTS + ") aid");
                st.execute("ANALYZE pgbench_accounts");
            }
            queryCache = new QueryCache(CacheConfig.defaults().withTtl(A_DAY).withCatalogMaxAge(A_DAY), false);
            cached = BenchSide.open();
            session = cached.sessionCache(queryCache, DATABASE);
            socket = PostgresSocket.open(postgres.getPort(), USER, DATABASE);
            pump(null);
            BenchSide.expectWritten(cached.client(), -1);
            learnShape();
            relayed = BenchSide.open();
            relayed.startedUp(reply(3));
        }

        /**
         * A first read makes the session probe its state and ask the catalog (against PostgreSQL); a
         * second of the same shape must then go upstream alone, and its replies become the canned ones.
         */
        private void learnShape() throws Exception {
            session.onClientFrame(query(1));
            int own = pump(null) - 1;
            BenchSide.expectWritten(cached.client(), 4);
            if (own < 2) {
                throw new IllegalStateException("the first read went upstream after " + own
                        + " requests of the session's own, not a probe and catalog look-ups");
            }
            Frame second = query(STORED_AID);
            session.onClientFrame(second);
            cached.upstream().flush();
            if (cached.upstream().outboundMessages().size() != 1 || cached.upstream().outboundMessages().peek()
                    != second.content()) {
                throw new IllegalStateException("a second read of the same shape did not go upstream alone: "
                        + cached.upstream().outboundMessages());
            }
            pump(replyBuffer);
            BenchSide.expectWritten(cached.client(), 4);
            CacheStats.Snapshot stats = queryCache.stats().snapshot();
            if (stats.stores() != 2 || !"TDCZ".equals(types(replyBuffer))
                    || replyBuffer.getByte(replyEnds[3] - 1) != 'I') {
                throw new IllegalStateException("set-up did not store two reads: " + stats + ", replies "
                        + types(replyBuffer));
            }
        }

        /** Runs the session's requests against PostgreSQL; a copy of every reply goes to {@code replies} (null: none). */
        private int pump(ByteBuf replies) throws Exception {
            return cached.pump(socket, replies == null ? null : reply -> {
                replies.writeBytes(reply.content(), reply.content().readerIndex(), reply.length());
                replyEnds[types(replies).length() - 1] = replies.writerIndex();
            });
        }

        /**
         * Before every iteration of {@code miss}: an empty memory tier, so that every miss is admitted
         * and stored (once full, a miss is stored only on its second time within one TTL).
         */
        @Setup(Level.Iteration)
        public void emptyTier(BenchmarkParams params) {
            if (params.getBenchmark().endsWith(".miss")) {
                queryCache.tiers().invalidateAll();
                beforeIteration = queryCache.stats().snapshot();
            }
        }

        @TearDown(Level.Iteration)
        public void everyMissStored(BenchmarkParams params) {
            if (params.getBenchmark().endsWith(".miss")) {
                CacheStats.Snapshot after = queryCache.stats().snapshot();
                long misses = after.misses() - beforeIteration.misses();
                long stores = after.stores() - beforeIteration.stores();
                if (stores != misses) {
                    throw new IllegalStateException("the memory tier filled up within one iteration: " + misses
                            + " misses, " + stores + " stored; use shorter iterations (-r)");
                }
            }
        }

        @TearDown
        public void tearDown() throws Exception {
            session.close();
            boolean leaked = queryBuffer.refCnt() != 1 || replyBuffer.refCnt() != 1;
            cached.close();
            relayed.close();
            queryBuffer.release();
            replyBuffer.release();
            queryCache.close();
            socket.close();
            postgres.close();
            if (leaked) {
                throw new IllegalStateException("buffers not released: a frame leaked");
            }
        }

        int relay() throws RepliesOutOfStep {
            Frame query = query(nextAid++);
            relayed.sendUpstream(query, null);
            return exchange(relayed, query);
        }

        int miss() throws RepliesOutOfStep {
            Frame query = query(nextAid++);
            session.onClientFrame(query);
            return exchange(cached, query);
        }

        int hit() {
            session.onClientFrame(query(STORED_AID));
            cached.upstream().flush();
            if (!cached.upstream().outboundMessages().isEmpty()) {
                throw new IllegalStateException("a stored read went upstream");
            }
            return BenchSide.expectWritten(cached.client(), 1);
        }

        /** The rest of a read that went upstream: the Query taken off the upstream, the replies relayed. */
        private int exchange(BenchSide side, Frame query) throws RepliesOutOfStep {
            side.upstream().flush();
            Object sent = side.upstream().readOutbound();
            if (sent != query.content() || side.upstream().readOutbound() != null) {
                ReferenceCountUtil.release(sent);
                throw new IllegalStateException("the session sent a request of its own: " + sent);
            }
            query.release();
            for (int i = 0; i < replyEnds.length; i++) {
                Frame reply = reply(i);
                side.replies().onReply(reply, reply.content());
            }
            return BenchSide.expectWritten(side.client(), replyEnds.length);
        }

        /** A Query of one account's balance, as a retained duplicate of the receive buffer. */
        private Frame query(long aid) {
            int digits = 1;
            for (long rest = aid; rest >= 10; rest /= 10) {
                digits++;
            }
            ByteBuf out = queryBuffer.clear();
            out.writeByte('Q').writeInt(4 + QUERY_TEXT.length + digits + 2).writeBytes(QUERY_TEXT);
            int end = out.writerIndex() + digits;
            long rest = aid;
            for (int at = end - 1; at >= out.writerIndex(); at--, rest /= 10) {
                out.setByte(at, '0' + (int) (rest % 10));
            }
            out.writerIndex(end).writeByte(';').writeByte(0);
            return new Frame(out.retainedDuplicate());
        }

        /** The {@code index}th upstream reply, as a retained slice of the receive buffer. */
        private Frame reply(int index) {
            int start = index == 0 ? 0 : replyEnds[index - 1];
            return new Frame(replyBuffer.retainedSlice(start, replyEnds[index] - start));
        }

        /** The type bytes of the whole messages in {@code messages}. */
        private static String types(ByteBuf messages) {
            StringBuilder types = new StringBuilder();
            for (int at = messages.readerIndex(); at < messages.writerIndex(); at += 1 + messages.getInt(at + 1)) {
                types.append((char) messages.getByte(at));
            }
            return types.toString();
        }
    }
}

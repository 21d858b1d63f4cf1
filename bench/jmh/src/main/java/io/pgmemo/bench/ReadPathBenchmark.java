package io.pgmemo.bench;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.cache.tier.MemoryTier;
import io.pgmemo.cache.tier.MemoryTierListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cache's work for one pgbench select-only query (a point lookup of a random key among 1M), in
 * the steps an event loop takes: the query text, its shape, its key, the memory tier's look-up, and
 * the store of a captured result. {@code queryText} is the baseline every proxy pays (the bytes of
 * the Query as a String); {@link Ratios} prints each step against it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap: on a VM, first touches of memory as the heap grows cost more than the work.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ReadPathBenchmark {
    private static final int KEYS = 1 << 20;
    private static final int STORED = 100_000;
    private static final long NOW = 1_800_000_000_000L;
    private static final long TTL = 120_000;
    private static final long[] ACCOUNTS_OID = {16_400L};

    private final byte[][] queries = new byte[KEYS][];
    private final int[] order = new int[KEYS];
    private final byte[] response = selectOneResponse();
    private CacheKey.Prefix prefix;
    private MemoryTier memory;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int aid = 0; aid < KEYS; aid++) {
            queries[aid] = ("SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + ";")
                    .getBytes(StandardCharsets.UTF_8);
            order[aid] = random.nextInt(KEYS);
        }
        prefix = CacheKey.prefix(SessionFingerprint.builder("demo").setting("session_authorization", "postgres")
                .setting("search_path", "\"$user\", public").setting("TimeZone", "UTC").build());
        memory = new MemoryTier(256L << 20, 8L << 20, new CacheStats(), MemoryTierListener.NONE);
        for (int aid = 0; aid < STORED; aid++) {
            memory.put(entry(CacheKey.forSimpleQuery(prefix, text(aid))));
        }
    }

    private String nextText() {
        next = (next + 1) & (KEYS - 1);
        return text(order[next]);
    }

    private String text(int aid) {
        return new String(queries[aid], StandardCharsets.UTF_8);
    }

    private CachedResult entry(CacheKey key) {
        return CachedResult.create(key, "demo", "postgres", ACCOUNTS_OID, response.clone(), 1, NOW, NOW + TTL);
    }

    @Benchmark
    public String queryText() {
        return nextText();
    }

    @Benchmark
    public SqlShape shape() {
        return SqlShape.of(nextText(), true);
    }

    @Benchmark
    public CacheKey key() {
        return CacheKey.forSimpleQuery(prefix, nextText());
    }

    /** Text, shape, key and the memory tier's look-up: about one in ten is stored (a hit). */
    @Benchmark
    public CachedResult lookUp(Blackhole shapes) {
        String sql = nextText();
        shapes.consume(SqlShape.of(sql, true));
        return memory.get(CacheKey.forSimpleQuery(prefix, sql), NOW);
    }

    /** Text, key, a new entry (copy and checksum of the response) and its store in the memory tier. */
    @Benchmark
    public boolean store() {
        String sql = nextText();
        return memory.put(entry(CacheKey.forSimpleQuery(prefix, sql)));
    }

    /** RowDescription (abalance int4), DataRow ('0'), CommandComplete (SELECT 1), as a backend sends them. */
    private static byte[] selectOneResponse() {
        ByteBuffer b = ByteBuffer.allocate(128);
        byte[] column = "abalance".getBytes(StandardCharsets.US_ASCII);
        b.put((byte) 'T').putInt(4 + 2 + column.length + 1 + 18).putShort((short) 1).put(column).put((byte) 0)
                .putInt(16_400).putShort((short) 3).putInt(23).putShort((short) 4).putInt(-1).putShort((short) 0);
        b.put((byte) 'D').putInt(4 + 2 + 4 + 1).putShort((short) 1).putInt(1).put((byte) '0');
        byte[] tag = "SELECT 1".getBytes(StandardCharsets.US_ASCII);
        b.put((byte) 'C').putInt(4 + tag.length + 1).put(tag).put((byte) 0);
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        return bytes;
    }
}

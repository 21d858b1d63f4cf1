package io.pgmemo.bench;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.cache.tier.CachedResult;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.pgmemo.cache.tier.MemoryTier;
import io.pgmemo.cache.tier.MemoryTierListener;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The memory tier alone against a bare Caffeine cache, in the two workloads of bench/cache.sh and
 * bench/pgbench.sh: {@code hotSet} (look-ups of 1,000 stored keys: every one a hit, the tier far from
 * full) and, in a full tier with keys that never repeat, {@code uniqueMiss} (a look-up that misses:
 * what a select-only read refused admission costs) and {@code uniqueMissThenStore} (a miss and the
 * store of its result, which evicts). Keys and entries are made beforehand, so only the tier is
 * measured. {@link TierRatios} runs it with 1 and 2 threads sharing one tier and prints Caffeine's
 * throughput over the LRU's.
 *
 * <p>It guards the choice of the LRU {@link MemoryTier} over Caffeine (docs/performance.md): the
 * Caffeine side here is Caffeine configured as a memory tier on it would be (weighted by
 * {@link CachedResult#memoryBytes()}, W-TinyLFU, each entry expiring at its own time, upkeep on the
 * calling thread) without the tier's own work (staleness check, byte count, a lock around stores):
 * a lower bound of what such a tier costs. Commit 976a770 measured the whole Caffeine tier.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class MemoryTierBenchmark {
    static final int HOT_KEYS = 1000;
    /** Entries a full tier holds (its bound is this many entries' bytes). */
    static final int FULL_ENTRIES = 50_000;
    /** Keys the unique workloads go through, per thread: ten times what the full tier holds. */
    static final int UNIQUE_KEYS = 1 << 19;
    static final int MAX_THREADS = 2;
    private static final long NOW = 1_800_000_000_000L;
    private static final long TTL = 120_000;
    private static final long[] ACCOUNTS_OID = {16_400L};

    @Param({"lru", "caffeine"})
    public String tier;

    Tier hot;
    Tier full;
    CacheKey[] hotKeys;
    CachedResult[][] unique;

    @Setup(Level.Trial)
    public void setUp() {
        CacheKey.Prefix prefix = CacheKey.prefix(SessionFingerprint.builder("demo")
                .setting("session_authorization", "postgres").setting("TimeZone", "UTC").build());
        byte[] response = "T...abalance...D...0C...SELECT 1".getBytes(StandardCharsets.US_ASCII);
        hotKeys = new CacheKey[HOT_KEYS];
        hot = newTier(256L << 20);
        for (int aid = 0; aid < HOT_KEYS; aid++) {
            hotKeys[aid] = key(prefix, aid);
            hot.put(entry(hotKeys[aid], response));
        }
        unique = new CachedResult[MAX_THREADS][UNIQUE_KEYS];
        for (int t = 0; t < MAX_THREADS; t++) {
            for (int i = 0; i < UNIQUE_KEYS; i++) {
                unique[t][i] = entry(key(prefix, 1_000_000 + t * UNIQUE_KEYS + i), response);
            }
        }
        full = newTier(FULL_ENTRIES * unique[0][0].memoryBytes());
        for (int i = 0; i < FULL_ENTRIES * 2; i++) {
            full.put(entry(key(prefix, 10_000_000 + i), response));
        }
    }

    private Tier newTier(long maxBytes) {
        return switch (tier) {
            case "lru" -> lru(new MemoryTier(maxBytes, 8L << 20, new CacheStats(), MemoryTierListener.NONE));
            case "caffeine" -> caffeine(maxBytes);
            default -> throw new IllegalArgumentException(tier);
        };
    }

    /** The two calls measured. */
    interface Tier {
        CachedResult get(CacheKey key, long nowMillis);

        boolean put(CachedResult entry);
    }

    private static Tier lru(MemoryTier memory) {
        return new Tier() {
            @Override
            public CachedResult get(CacheKey key, long nowMillis) {
                return memory.get(key, nowMillis);
            }

            @Override
            public boolean put(CachedResult entry) {
                return memory.put(entry);
            }
        };
    }

    private static Tier caffeine(long maxBytes) {
        Cache<CacheKey, CachedResult> cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey key, CachedResult entry) -> (int) entry.memoryBytes())
                .expireAfter(Expiry.<CacheKey, CachedResult>creating(
                        (key, entry) -> java.time.Duration.ofMillis(entry.expiresAt() - NOW)))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(NOW))
                .executor(Runnable::run)
                .build();
        return new Tier() {
            @Override
            public CachedResult get(CacheKey key, long nowMillis) {
                CachedResult entry = cache.getIfPresent(key);
                if (entry == null || entry.isExpired(nowMillis)) {
                    return null;
                }
                entry.recordHit(nowMillis);
                return entry;
            }

            @Override
            public boolean put(CachedResult entry) {
                cache.put(entry.key(), entry);
                return true;
            }
        };
    }

    private static CacheKey key(CacheKey.Prefix prefix, int aid) {
        return CacheKey.forSimpleQuery(prefix, "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + ";");
    }

    private static CachedResult entry(CacheKey key, byte[] response) {
        return CachedResult.create(key, "demo", "postgres", ACCOUNTS_OID, response, 1, NOW, NOW + TTL);
    }

    /** One benchmark thread's place in the key sequences. */
    @State(Scope.Thread)
    public static class Cursor {
        int thread;
        int next;
        int[] hotOrder;

        @Setup(Level.Trial)
        public void setUp(ThreadParams threads) {
            thread = threads.getThreadIndex() % MAX_THREADS;
            SplittableRandom random = new SplittableRandom(42 + thread);
            hotOrder = new int[1 << 16];
            for (int i = 0; i < hotOrder.length; i++) {
                hotOrder[i] = random.nextInt(HOT_KEYS);
            }
        }
    }

    @Benchmark
    public CachedResult hotSet(Cursor cursor) {
        cursor.next = (cursor.next + 1) & (cursor.hotOrder.length - 1);
        return hot.get(hotKeys[cursor.hotOrder[cursor.next]], NOW);
    }

    @Benchmark
    public CachedResult uniqueMiss(Cursor cursor) {
        cursor.next = (cursor.next + 1) & (UNIQUE_KEYS - 1);
        return full.get(unique[cursor.thread][cursor.next].key(), NOW);
    }

    @Benchmark
    public boolean uniqueMissThenStore(Cursor cursor) {
        cursor.next = (cursor.next + 1) & (UNIQUE_KEYS - 1);
        CachedResult entry = unique[cursor.thread][cursor.next];
        return full.get(entry.key(), NOW) == null && full.put(entry);
    }
}

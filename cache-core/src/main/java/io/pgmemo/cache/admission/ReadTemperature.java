package io.pgmemo.cache.admission;

import io.pgmemo.cache.key.CacheKey;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the reads of one statement pay for the cache. A statement whose reads almost never hit (a
 * point look-up over more keys than the tier holds, or sees again within a TTL) costs a look-up, a
 * flight and a copy of its result on every execution and saves the upstream nothing. While it is
 * cold, its reads are relayed as the relay sends them, except those whose key falls in one sixteenth
 * of the key space: those still take the whole way, so the statement keeps being measured.
 *
 * <p>Judged every {@link #WINDOW} sampled reads: cold when fewer than 5% of them hit while the
 * memory tier must choose what it keeps (it is full, or what it stored for room left unread), warm
 * again once 40% hit. While the tier has room that pays, a store displaces nothing and the hits of a
 * statement that starts cold (every statement does, after a start) are still to come: such a window
 * never cools. The sampled sixteenth has the tier nearly to itself while the rest is relayed, so it
 * hits more often than all keys would: hence the higher bar to warm up, or a statement over a key
 * set the tier cannot hold would flap between the two. Every statement starts warm. Thread-safe and
 * lock-free; a race only moves a judgement by a read.
 */
public final class ReadTemperature {
    /** Sampled reads per judgement: about sixteen times as many reads of the statement. */
    static final int WINDOW = 1024;
    private static final int COLD_BELOW = WINDOW / 20;
    private static final int WARM_FROM = WINDOW * 2 / 5;
    private static final long ONE_HIT = 1L << 32;
    private static final int SAMPLE_SHIFT = 60;

    /** Hits in the high half, sampled reads in the low half, since the last judgement. */
    private final AtomicLong sampled = new AtomicLong();
    private volatile boolean cold;

    /** True if a read with this key is relayed without a look-up: its statement is cold and the key not sampled. */
    public boolean bypasses(CacheKey key) {
        return cold && !isSampled(key);
    }

    /**
     * A read with this key was looked up: answered from the cache or by another session's flight
     * ({@code hit}), or not; {@code tierChooses} when the memory tier has no room that pays.
     */
    public void looked(CacheKey key, boolean hit, boolean tierChooses) {
        if (!isSampled(key)) {
            return;
        }
        long counts = sampled.addAndGet(hit ? ONE_HIT + 1 : 1);
        if ((int) counts != WINDOW) {
            return;
        }
        sampled.addAndGet(-counts);
        int hits = (int) (counts >>> 32);
        cold = cold ? hits < WARM_FROM : hits < COLD_BELOW && tierChooses;
    }

    public boolean isCold() {
        return cold;
    }

    /**
     * One key in sixteen. FNV-1a's top bits hardly change with the last bytes of a key (where a point
     * read's value is), so the hash is first multiplied by 2^64 / phi, which carries its well-mixed
     * low bits up to the top.
     */
    static boolean isSampled(CacheKey key) {
        return key.hash64() * 0x9E37_79B9_7F4A_7C15L >>> SAMPLE_SHIFT == 0;
    }
}

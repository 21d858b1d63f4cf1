package io.pgmemo.cache.admission;

import io.pgmemo.cache.key.CacheKey;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

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
 * set the tier cannot hold would flap between the two. A statement is cold for at most
 * {@link #COLD_FOR_MILLIS} at a time, then measured whole again: its reads may have narrowed to a few
 * keys, none of them sampled. Every statement starts warm. Thread-safe and lock-free.
 */
public final class ReadTemperature {
    /** Sampled reads per judgement: about sixteen times as many reads of the statement. */
    static final int WINDOW = 1024;
    static final long COLD_FOR_MILLIS = 60_000;
    private static final long ONE_HIT = 1L << 32;
    private static final long READS = 0xFFFF_FFFFL;
    private static final int SAMPLE_SHIFT = 60;

    /** Hits in the high half, sampled reads in the low half, since the last judgement. */
    private final AtomicLong sampled = new AtomicLong();
    /** The statement is cold until this time (epoch millis); 0 when warm. */
    private volatile long coldUntil;

    /** True if a read with this key is relayed without a look-up: its statement is cold and the key not sampled. */
    public boolean bypasses(CacheKey key, long nowMillis) {
        return nowMillis < coldUntil && !isSampled(key);
    }

    /**
     * A read with this key was looked up: answered from the cache or by another session's flight
     * ({@code hit}), or not. {@code tierChooses} (the memory tier has no room that pays) is asked only
     * when a window is judged, once per {@link #WINDOW} sampled reads.
     */
    public void looked(CacheKey key, boolean hit, BooleanSupplier tierChooses, long nowMillis) {
        if (!isSampled(key)) {
            return;
        }
        long counts = sampled.addAndGet(hit ? ONE_HIT + 1 : 1);
        // Whoever resets a full window judges it; a read counted meanwhile makes the next one try.
        if ((counts & READS) < WINDOW || !sampled.compareAndSet(counts, 0)) {
            return;
        }
        long reads = counts & READS;
        long hits = counts >>> 32;
        if (isCold(nowMillis)) {
            if (hits * 5 >= reads * 2) {
                coldUntil = 0;
            }
        } else if (hits * 20 < reads && tierChooses.getAsBoolean()) {
            coldUntil = nowMillis + COLD_FOR_MILLIS;
        }
    }

    public boolean isCold(long nowMillis) {
        return nowMillis < coldUntil;
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

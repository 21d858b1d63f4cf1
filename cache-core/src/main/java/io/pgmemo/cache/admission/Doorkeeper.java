package io.pgmemo.cache.admission;

import io.pgmemo.cache.key.CacheKey;

/**
 * Admits a result into a full cache on its second miss within one window (the TTL); while the memory
 * tier has room, every result is admitted (the cache asks it only when full). A read that never
 * repeats (a point lookup over a million keys) then costs no store (its result is still copied while
 * it streams, in case identical reads wait for it), and a repeated read is cached from its second
 * execution on. A read seen last longer ago than the TTL counts as new: it repeats less often than
 * its entry would live, so storing it would mostly pay for an entry that expires unread.
 *
 * <p>A lossy, lock-free table with one long per slot: the high half of the key's hash (the slot is
 * taken from the low half) and the second it was last seen, so a look-up costs one cache line. A
 * race or a collision only makes one admission early or late, never a wrong answer.
 */
public final class Doorkeeper {
    private static final int SLOTS = 1 << 20;
    private static final long HIGH_HALF = 0xFFFF_FFFF_0000_0000L;

    private final long[] seen = new long[SLOTS];
    private final long windowMillis;

    public Doorkeeper(long windowMillis) {
        this.windowMillis = Math.max(1000, windowMillis);
    }

    /** True when this key missed before within the window (store it now); either way, remembers this miss. */
    public boolean admit(CacheKey key, long nowMillis) {
        long hash = key.hash64();
        int slot = (int) (hash ^ (hash >>> 20)) & (SLOTS - 1);
        // Never 0, so that an empty slot matches no key.
        long tag = (hash | 1L << 32) & HIGH_HALF;
        // Seconds as an int: the difference below stays right when the count wraps (in 2038).
        int nowSecond = (int) (nowMillis / 1000);
        long last = seen[slot];
        boolean repeated = (last & HIGH_HALF) == tag && (nowSecond - (int) last) * 1000L <= windowMillis;
        seen[slot] = tag | (nowSecond & 0xFFFF_FFFFL);
        return repeated;
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.key.CacheKey;

/**
 * Admits a result into the cache on its second miss within one window (the TTL). A read that never
 * repeats (a point lookup over a million keys) then costs no store (its result is still copied while
 * it streams, in case identical reads wait for it), and a repeated read is cached from its second
 * execution on. A read seen last longer ago than the TTL counts as new: it repeats less often than
 * its entry would live, so storing it would mostly pay for an entry that expires unread.
 *
 * <p>A lossy, lock-free table of key hashes and the second each was last seen: a race or a
 * collision only makes one admission early or late, never a wrong answer.
 */
final class Doorkeeper {
    private static final int SLOTS = 1 << 20;

    private final long[] seen = new long[SLOTS];
    private final int[] seenAtSecond = new int[SLOTS];
    private final long windowMillis;

    Doorkeeper(long windowMillis) {
        this.windowMillis = Math.max(1000, windowMillis);
    }

    /** True when this key missed before within the window (store it now); either way, remembers this miss. */
    boolean admit(CacheKey key, String sql, long nowMillis) {
        long hash = ((long) key.hashCode() << 32) ^ (sql.hashCode() & 0xFFFF_FFFFL) | 1L;
        int slot = (int) (hash ^ (hash >>> 29)) & (SLOTS - 1);
        // Seconds as an int: the difference below stays right when the count wraps (in 2038).
        int nowSecond = (int) (nowMillis / 1000);
        boolean repeated = seen[slot] == hash && (nowSecond - seenAtSecond[slot]) * 1000L <= windowMillis;
        seen[slot] = hash;
        seenAtSecond[slot] = nowSecond;
        return repeated;
    }
}

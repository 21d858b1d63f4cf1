package io.pgmemo.proxy.cache;

import io.pgmemo.cache.key.CacheKey;

/**
 * Admits a result into the cache on its second miss only. A read that never repeats (a point
 * lookup over a million keys) then costs no store (its result is still copied while it streams, in
 * case identical reads wait for it), and a repeated read is cached from its second execution on. A lossy, lock-free table of key hashes: a race or a collision only
 * makes one admission early or late, never a wrong answer.
 */
final class Doorkeeper {
    private static final int SLOTS = 1 << 20;

    private final long[] seen = new long[SLOTS];

    /** True when this key missed before (store it now); otherwise remembers it and says false. */
    boolean admit(CacheKey key, String sql) {
        long hash = ((long) key.hashCode() << 32) ^ (sql.hashCode() & 0xFFFF_FFFFL) | 1L;
        int slot = (int) (hash ^ (hash >>> 29)) & (SLOTS - 1);
        if (seen[slot] == hash) {
            return true;
        }
        seen[slot] = hash;
        return false;
    }
}

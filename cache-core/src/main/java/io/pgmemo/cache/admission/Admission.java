package io.pgmemo.cache.admission;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.tier.MemoryTier;

/** Whether a missed result is stored, and why; see {@link #decide}. */
public enum Admission {
    /** Missed before within one TTL: a read that repeats. Stored. */
    REPEATED,
    /** Not seen before within one TTL, while the memory tier has room and such stores were read lately. Stored. */
    ROOM,
    /** Not seen before within one TTL, with the memory tier full, or its entries left it unread lately. Not stored. */
    REFUSED;

    public boolean stores() {
        return this != REFUSED;
    }

    /**
     * While the memory tier has room, every miss is stored, since storing it then displaces nothing;
     * once full, a miss is stored on its second time within one TTL, so that reads which never repeat
     * do not push out those that do. Either way the miss is remembered. While nearly every entry leaves
     * the tier unread ({@link MemoryTier#roomPays()}), room does not count either: reads that never
     * repeat then cost no store.
     */
    public static Admission decide(Doorkeeper doorkeeper, MemoryTier memory, CacheKey key, long nowMillis) {
        if (doorkeeper.admit(key, nowMillis)) {
            return REPEATED;
        }
        return memory.hasRoom() && memory.roomPays() ? ROOM : REFUSED;
    }
}

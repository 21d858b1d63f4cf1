package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.util.Collection;

/**
 * Told of every store and invalidation of the {@link MemoryTier}, in the order they happened there
 * (the calls are made under the tier's lock), so that a persistent tier can mirror them. Evictions
 * and expiries are not reported: the persistent tier keeps its own bound and TTL. Implementations
 * must not block: they run on event loops.
 */
public interface MemoryTierListener {

    MemoryTierListener NONE = new MemoryTierListener() {
    };

    default void stored(CachedResult entry) {
    }

    default void keysInvalidated(Collection<CacheKey> keys) {
    }

    default void tableInvalidated(String database, long tableOid) {
    }

    default void databaseInvalidated(String database) {
    }

    default void allInvalidated() {
    }
}

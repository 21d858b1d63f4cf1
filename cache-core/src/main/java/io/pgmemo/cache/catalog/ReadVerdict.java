package io.pgmemo.cache.catalog;

import java.util.Set;

/**
 * Whether a read may be served from and stored in the cache, for one session's search_path and role.
 *
 * @param cacheable    true when every function is safe and every relation may be cached
 * @param reason       why not, for logs and statistics; null when cacheable
 * @param relationOids the relations whose changes must invalidate the result: the relations named,
 *                     views and the relations under them, inheritance children and partitions,
 *                     relations read by row-level security policies
 */
public record ReadVerdict(boolean cacheable, String reason, Set<Long> relationOids) {

    public ReadVerdict {
        relationOids = Set.copyOf(relationOids);
    }

    static ReadVerdict cacheable(Set<Long> relationOids) {
        return new ReadVerdict(true, null, relationOids);
    }

    static ReadVerdict notCacheable(String reason) {
        return new ReadVerdict(false, reason, Set.of());
    }
}

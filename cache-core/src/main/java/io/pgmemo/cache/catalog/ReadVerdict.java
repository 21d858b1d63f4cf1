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
 * @param refusal      what kind of refusal, for decisions ({@code reason} is for people)
 */
public record ReadVerdict(boolean cacheable, String reason, Set<Long> relationOids, RefusalKind refusal) {

    /** Why a read is not cacheable, as far as what it may set off when it runs is concerned. */
    public enum RefusalKind {
        /** Cacheable. */
        NONE,
        /** Only time makes it uncacheable (now(), 'today'): it calls nothing that writes. */
        TIME_DEPENDENT,
        /** The catalog could not be asked: nothing is known of what it calls. */
        CATALOG_UNAVAILABLE,
        /** Anything else: it may reach a function, view or policy that writes or changes settings. */
        OTHER
    }

    public ReadVerdict {
        relationOids = Set.copyOf(relationOids);
        if (cacheable != (refusal == RefusalKind.NONE)) {
            throw new IllegalArgumentException("a cacheable verdict has no refusal, and the reverse");
        }
    }

    /** {@link #relationOids()} in ascending order, as entries keep them; a session keeps it per statement. */
    public long[] relationOidArray() {
        return relationOids.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    static ReadVerdict cacheable(Set<Long> relationOids) {
        return new ReadVerdict(true, null, relationOids, RefusalKind.NONE);
    }

    static ReadVerdict notCacheable(String reason) {
        return new ReadVerdict(false, reason, Set.of(), RefusalKind.OTHER);
    }

    static ReadVerdict timeDependent(String reason) {
        return new ReadVerdict(false, reason, Set.of(), RefusalKind.TIME_DEPENDENT);
    }

    /** The catalog cannot be asked (a look-up failed): not cacheable, for a reason that says nothing of the read. */
    public static ReadVerdict catalogUnavailable(String reason) {
        return new ReadVerdict(false, reason, Set.of(), RefusalKind.CATALOG_UNAVAILABLE);
    }
}

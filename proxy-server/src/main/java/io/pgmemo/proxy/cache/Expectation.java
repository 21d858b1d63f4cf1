package io.pgmemo.proxy.cache;

import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.key.CacheKey;
import java.util.Set;

/**
 * What the proxy expects from the upstream up to the next ReadyForQuery, and what to do with it:
 * one per Query, Sync or FunctionCall sent upstream, in order. Parse messages of the cycle are
 * confirmed by their ParseComplete ({@code parses}).
 */
sealed interface Expectation {

    /** Relay to the client; when {@code writes} is set, invalidate before the client sees the result. */
    record Forward(Invalidation writes, CycleParses parses) implements Expectation {
    }

    /**
     * Relay to the client and copy the result: into the cache when {@code admitted} or when other
     * sessions wait for it on {@code flight}.
     */
    record Capture(CacheKey key, Set<Long> relationOids, long sequence, ResultCapture result,
                   boolean admitted, Flight flight, CycleParses parses) implements Expectation {
    }

    /** The proxy's own {@link SessionProbe}: swallow it. */
    record Probe() implements Expectation {
    }

    /** A catalog look-up the proxy runs in the session while it is idle: swallow it, keep its rows. */
    record LookUp(CatalogLookUpRun run) implements Expectation {
    }

    /** The proxy's own rollback to before a catalog look-up that failed in a transaction block: swallow it. */
    record Recover() implements Expectation {
    }

    /** Statements the proxy prepares upstream because a cache hit answered their Parse: swallow it. */
    record Prepare() implements Expectation {
    }

}

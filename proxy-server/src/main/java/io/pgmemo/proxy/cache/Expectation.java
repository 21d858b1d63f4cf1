package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.proxy.reply.Expected;
import java.util.List;

/**
 * What the cache expects from the upstream up to the next ReadyForQuery, and what it does with it:
 * one per Query, Sync or FunctionCall it sends upstream, and one per request of its own, in the
 * session's {@link io.pgmemo.proxy.reply.ReplyQueue}. Parse messages of a cycle are confirmed by
 * their ParseComplete ({@code parses}).
 */
sealed interface Expectation extends Expected {

    @Override
    default boolean swallowed() {
        return false;
    }

    /** The client's Parse messages the replies confirm, in order; null for the proxy's own requests. */
    default CycleParses parses() {
        return null;
    }

    /**
     * Relay to the client; when {@code writes} is set, invalidate before the client sees the result,
     * unless the statements ran {@code inBlock} (a transaction block they cannot end: see {@link
     * WriteJudgement}). When they {@code mayEndBlock}, what the block wrote is dropped at their
     * ReadyForQuery.
     */
    record Forward(Invalidation writes, CycleParses parses, boolean inBlock, boolean mayEndBlock)
            implements Expectation {

        /** Statements that may run outside a transaction block but cannot end one. */
        Forward(Invalidation writes, CycleParses parses) {
            this(writes, parses, false, false);
        }
    }

    /**
     * Relay to the client and copy each read's result, in order: into the cache when it is admitted
     * or other sessions wait for it (see {@link CapturedRead}). An error ends the copies: the
     * upstream skips the rest of the cycle.
     */
    final class Capture implements Expectation {
        private final List<CapturedRead> reads;
        private final long sequence;
        private final CycleParses parses;
        private int current;
        private int completions;

        /** @param sequence the cache's invalidation sequence when the reads went upstream */
        Capture(List<CapturedRead> reads, long sequence, CycleParses parses) {
            this.reads = reads;
            this.sequence = sequence;
            this.parses = parses;
        }

        List<CapturedRead> reads() {
            return reads;
        }

        long sequence() {
            return sequence;
        }

        @Override
        public CycleParses parses() {
            return parses;
        }

        void onReply(ByteBuf frame, BackendType type) {
            if (current == reads.size() || type == BackendType.READY_FOR_QUERY) {
                return;
            }
            if (type == BackendType.ERROR_RESPONSE) {
                reads.subList(current, reads.size()).forEach(CapturedRead::abandon);
                current = reads.size();
                return;
            }
            CapturedRead read = reads.get(current);
            read.append(frame, type);
            if (read.messages() > 0 && CapturedRead.completes(type) && ++completions == read.messages()) {
                current++;
                completions = 0;
            }
        }
    }

    /** The proxy's own {@link SessionProbe}: swallow it. */
    record Probe() implements Expectation {
        @Override
        public boolean swallowed() {
            return true;
        }
    }

    /** A catalog look-up the proxy runs in the session while it is idle: swallow it, keep its rows. */
    record LookUp(CatalogLookUpRun run) implements Expectation {
        @Override
        public boolean swallowed() {
            return true;
        }
    }

    /** The proxy's own rollback to before a catalog look-up that failed in a transaction block: swallow it. */
    record Recover() implements Expectation {
        @Override
        public boolean swallowed() {
            return true;
        }
    }

    /** Statements the proxy prepares upstream because a cache hit answered their Parse: swallow it. */
    record Prepare() implements Expectation {
        @Override
        public boolean swallowed() {
            return true;
        }
    }
}

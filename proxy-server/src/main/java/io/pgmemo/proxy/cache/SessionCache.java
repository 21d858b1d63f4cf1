package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.backend.BackendMessage;
import io.pgmemo.protocol.backend.ParameterStatus;
import io.pgmemo.protocol.backend.TransactionStatus;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.proxy.reply.Expected;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One session's view of the cache: answers repeated reads from it, captures misses into it, and
 * invalidates after writes. Runs on the session's event loop only. Simple queries and extended
 * cycles each have their class ({@link SimpleQueries}, {@link ExtendedCycles}); both decide hits
 * the same way ({@link HitOrLead}) and judge writes the same way ({@link WriteJudgement}). This
 * class holds what they share: the session's {@link ReplyQueue}, what it waits for, and the
 * proxy's own requests (the probe of session state, catalog look-ups).
 *
 * <p>A read is served outside a transaction block, when its session state is known (learned by
 * {@link SessionProbe} after anything that may have changed it) and nothing before it in flight can
 * change what it reads: only other reads the cache captures may be.
 */
public final class SessionCache implements ReplyQueue.Observer {
    /**
     * What the session waits for before it handles the client's next message; meanwhile they are held
     * in order.
     *
     * <pre>
     *            ┌── probe sent ──▶ SESSION_STATE ── its ReadyForQuery ──┐
     *            │                                                        ▼
     *   NOTHING ─┼── catalog look-up sent ──▶ CATALOG ── its ReadyForQuery ─▶ NOTHING
     *            │                                                        ▲
     *            └── identical read in flight ──▶ FLIGHT ── it lands ─────┘
     * </pre>
     */
    enum Wait {
        /** Messages are handled as they come. */
        NOTHING,
        /** The proxy's probe of the session's settings is out: reads cannot be keyed until it is back. */
        SESSION_STATE,
        /** A catalog look-up of the proxy's own is out: the verdict on a read or a write waits for it. */
        CATALOG,
        /** A read waits for an identical one of another session on its way upstream. */
        FLIGHT
    }

    /** A read waiting for an identical one of another session: shared when it lands, or sent then. */
    private sealed interface Awaited {
        HitOrLead.Read read();

        void release();
    }

    private record AwaitedQuery(Frame query, HitOrLead.Read read) implements Awaited {
        public void release() {
            query.release();
        }
    }

    private record AwaitedCycle(ExtendedCycle cycle, Frame sync, HitOrLead.Read read) implements Awaited {
        public void release() {
            cycle.release();
            sync.release();
        }
    }

    private final QueryCache cache;
    private final Channel client;
    private final ReplyQueue replies;
    private final BiConsumer<Frame, Expected> forward;
    private final SessionState state = new SessionState();
    private final WriteJudgement writes;
    private final HitOrLead hitOrLead;
    private final SimpleQueries simple;
    private final ExtendedCycles extended;
    private final OwnRequests own;
    private final Deque<Frame> held = new ArrayDeque<>();
    private Wait wait = Wait.NOTHING;
    private Awaited awaitedFlight;
    private Channel upstream;
    /** Forwarded requests in flight that may change what a later read sees (all but captured reads). */
    private int forwardsInFlight;

    /**
     * @param forward sends a client message upstream; with the entry it expects when it is a Query,
     *                Sync or FunctionCall (null for other messages)
     */
    public SessionCache(QueryCache cache, Channel client, ReplyQueue replies, BiConsumer<Frame, Expected> forward) {
        this.cache = cache;
        this.client = client;
        this.replies = replies;
        this.forward = forward;
        this.writes = new WriteJudgement(cache, state);
        this.hitOrLead = new HitOrLead(cache);
        this.own = new OwnRequests(this, cache, state, writes, replies);
        this.simple = new SimpleQueries(this, cache, state, writes, hitOrLead, own);
        this.extended = new ExtendedCycles(this, cache, state, writes, hitOrLead, own);
        replies.observe(this);
    }

    /** @param writeOwn writes and flushes a request of the proxy's own upstream */
    public void upstreamConnected(Channel upstream, Consumer<ByteBuf> writeOwn) {
        this.upstream = upstream;
        own.upstreamConnected(upstream, writeOwn);
    }

    /** The Parse of a prepared statement the upstream has under this name, or null if that is not sure. */
    public Parse upstreamStatement(String name) {
        return extended.upstreamStatement(name);
    }

    /** The database named at startup: the session cannot change it. */
    public void startupDatabase(String database) {
        state.startupDatabase(database);
    }

    // ---- client to upstream ------------------------------------------------------------------

    /** Takes every client frame after startup; forwards it, serves it, or holds it. */
    public void onClientFrame(Frame frame) {
        if (wait != Wait.NOTHING || !held.isEmpty()) {
            held.add(frame);
            return;
        }
        handle(frame);
    }

    private void handle(Frame frame) {
        switch (frame.frontendType()) {
            case QUERY -> {
                extended.releaseCycle();
                simple.onQuery(frame);
            }
            case PARSE, BIND, DESCRIBE, EXECUTE, CLOSE -> extended.onMessage(frame);
            case SYNC -> extended.onSync(frame);
            case FUNCTION_CALL -> {
                extended.releaseCycle();
                state.forget();
                extended.forgetStatements(false);
                send(frame, new Expectation.Forward(Invalidation.ALL, extended.takeParses()));
            }
            default -> {
                extended.releaseCycle();
                forward.accept(frame, null);
            }
        }
    }

    /**
     * Whether a read arriving now may be answered from the cache or captured: outside a transaction
     * block, with no cycle open and nothing in flight but other reads, so that it runs where they ran.
     */
    boolean readsMayBeServed() {
        return status() == TransactionStatus.IDLE && forwardsInFlight == 0 && !extended.cycleOpen();
    }

    /**
     * The next request runs inside a transaction block it cannot end: the last ReadyForQuery said so,
     * nothing in flight may end the block before it, and the request itself may not ({@code mayEndBlock}).
     */
    boolean runsInBlock(boolean mayEndBlock) {
        return !mayEndBlock && status() != TransactionStatus.IDLE && replies.awaitingUpstream() == 0;
    }

    /**
     * Nothing in flight or held, and no failed transaction block: the proxy may use the connection
     * itself (in a transaction block, inside a savepoint of its own).
     */
    boolean idleForLookUp() {
        boolean usable = switch (status()) {
            case IDLE -> true;
            // Its own uncommitted catalog changes would be seen, and kept for every session.
            case IN_TRANSACTION -> !own.oldSnapshot() && writes.catalogUntouched();
            case FAILED -> false;
        };
        return usable && replies.isEmpty() && extended.idle() && wait == Wait.NOTHING;
    }

    /** Sends a client message upstream, after anything the proxy must send first; expects {@code expectation}. */
    void send(Frame frame, Expectation expectation) {
        extended.beforeForwarding();
        if (expectation instanceof Expectation.Forward) {
            forwardsInFlight++;
        }
        forward.accept(frame, expectation);
    }

    /** Sends an extended message that does not end a cycle. */
    void sendInCycle(Frame frame) {
        forward.accept(frame, null);
    }

    /** The cache's reply to a request, in its turn after what is in flight. */
    void answer(ByteBuf reply) {
        replies.answer(reply);
    }

    /** The status of the last ReadyForQuery: where the next request runs once those in flight have. */
    TransactionStatus status() {
        return replies.transactionStatus();
    }

    void waitFor(Wait reason) {
        wait = reason;
    }

    /** What the session waited for is over: handles what was held meanwhile. */
    void waitOver() {
        wait = Wait.NOTHING;
        resume();
    }

    boolean nothingHeld() {
        return held.isEmpty();
    }

    /** Puts a frame back in front of what is held, to be handled again once {@code reason} is over. */
    void hold(Frame frame, Wait reason) {
        wait = reason;
        held.addFirst(frame);
    }

    /** Nothing is in flight upstream: a read may wait for an identical one of another session. */
    boolean alone() {
        return replies.awaitingUpstream() == 0 && !extended.cycleOpen();
    }

    void forgetStatements(boolean namesMayBeTaken) {
        extended.forgetStatements(namesMayBeTaken);
    }

    CycleParses takeParses() {
        return extended.takeParses();
    }

    /** Holds a read until the identical one of another session lands; see {@link #onFlightLanded}. */
    void follow(Frame query, HitOrLead.Read read) {
        wait = Wait.FLIGHT;
        awaitedFlight = new AwaitedQuery(query, read);
    }

    void follow(ExtendedCycle cycle, Frame sync, HitOrLead.Read read) {
        wait = Wait.FLIGHT;
        awaitedFlight = new AwaitedCycle(cycle, sync, read);
    }

    /** What {@link HitOrLead} calls back with, on any thread, when the followed flight lands. */
    void onFlightLanded(CachedResult landed, SessionProbe.Result stateThen) {
        client.eventLoop().execute(() -> flightLanded(landed, stateThen));
    }

    private void flightLanded(CachedResult landed, SessionProbe.Result stateThen) {
        Awaited awaited = awaitedFlight;
        if (awaited == null) {
            return;
        }
        awaitedFlight = null;
        wait = Wait.NOTHING;
        if (landed != null && state.probed() == stateThen) {
            if (awaited instanceof AwaitedCycle cycle) {
                extended.answeredParses(cycle.cycle());
            }
            awaited.release();
            cache.stats().coalesced();
            answer(HitOrLead.reply(awaited.read(), landed));
        } else if (awaited instanceof AwaitedCycle cycle) {
            extended.forwardCycle(cycle.cycle(), cycle.sync(), Invalidation.NONE);
        } else if (awaited instanceof AwaitedQuery query) {
            send(query.query(), new Expectation.Forward(Invalidation.NONE, extended.takeParses()));
        }
        resume();
    }

    void resume() {
        while (wait == Wait.NOTHING && !held.isEmpty()) {
            handle(held.poll());
        }
        client.flush();
        if (upstream != null) {
            upstream.flush();
        }
    }

    // ---- upstream to client ------------------------------------------------------------------

    @Override
    public void onReply(Expected head, Frame frame, BackendType type) {
        if (type == BackendType.PARAMETER_STATUS) {
            ParameterStatus parameter = (ParameterStatus) BackendMessage.decode(frame);
            state.onParameterStatus(parameter.name(), parameter.value());
        } else if (type == BackendType.PARSE_COMPLETE) {
            extended.parseCompleted(head);
        }
        if (head instanceof Expectation.Capture capture) {
            capture.onReply(frame.content(), type);
        } else if (head instanceof Expectation.Forward forwarded && completes(type)) {
            // Inside a transaction block what it may write was noted when it went upstream.
            if (!forwarded.inBlock()) {
                writes.invalidate(forwarded.writes(), false);
            }
        } else {
            own.onReply(head, frame, type);
        }
    }

    /** A statement ran (CommandComplete), or a function did (FunctionCallResponse: no CommandComplete comes). */
    private static boolean completes(BackendType type) {
        return type == BackendType.COMMAND_COMPLETE || type == BackendType.FUNCTION_CALL_RESPONSE;
    }

    @Override
    public void onReadyForQuery(Expected head, TransactionStatus next) {
        if (head instanceof Expectation.Capture capture) {
            hitOrLead.land(capture, next == TransactionStatus.IDLE ? state : null);
        }
        writes.onReadyForQuery(next, head instanceof Expectation.Forward forwarded && forwarded.mayEndBlock());
        if (head instanceof Expectation.Forward) {
            forwardsInFlight--;
        }
        own.onReadyForQuery(head, next);
    }

    /** Something is held, or awaited from the upstream. */
    public boolean isBusy() {
        return wait != Wait.NOTHING || !held.isEmpty() || !replies.isEmpty() || !extended.idle();
    }

    /** Releases held frames when the session ends, and lands the flights it led. */
    public void close() {
        extended.close();
        Frame frame;
        while ((frame = held.poll()) != null) {
            frame.release();
        }
        if (awaitedFlight != null) {
            awaitedFlight.release();
            awaitedFlight = null;
        }
        replies.forEachExpected(head -> {
            if (head instanceof Expectation.Capture capture) {
                capture.reads().stream().filter(read -> read.flight() != null)
                        .forEach(read -> cache.land(read.key(), read.flight(), null));
            }
        });
    }
}

package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.reply.Expected;
import java.util.List;

/**
 * The extended protocol. A cycle that may be answered from the cache is held until its Sync: then
 * each of its units is a read the catalog judged cacheable, answered together from the cache when
 * all are stored ({@link HitOrLead}), or the cycle goes upstream with its misses captured. Any other
 * cycle goes upstream as it comes, each Execute invalidating what its statement may change
 * ({@link WriteJudgement}). Prepared statements are followed as the client sees them
 * ({@link PreparedStatements}): those whose Parse the cache answered are prepared upstream before
 * anything else goes there.
 */
final class ExtendedCycles {
    private final SessionCache session;
    private final QueryCache cache;
    private final SessionState state;
    private final WriteJudgement writes;
    private final HitOrLead hitOrLead;
    private final OwnRequests own;
    private final ExtendedProtocolEffects effects;
    private final PreparedStatements statements = new PreparedStatements();
    private final CycleReads reads;
    /** Extended-protocol messages held until their Sync, while they may be answered from the cache. */
    private ExtendedCycle cycle;
    /** Some message of the client's current cycle went upstream: the rest must follow it there. */
    private boolean forwardingCycle;

    ExtendedCycles(SessionCache session, QueryCache cache, SessionState state, WriteJudgement writes,
                   HitOrLead hitOrLead, OwnRequests own) {
        this.session = session;
        this.cache = cache;
        this.state = state;
        this.writes = writes;
        this.hitOrLead = hitOrLead;
        this.own = own;
        this.effects = new ExtendedProtocolEffects(cache.classifications());
        this.reads = new CycleReads(cache, state, statements, writes, own);
    }

    /** Messages of the client's current cycle went upstream. */
    boolean cycleOpen() {
        return forwardingCycle;
    }

    /** No cycle held or open. */
    boolean idle() {
        return cycle == null && !forwardingCycle;
    }

    void onMessage(Frame frame) {
        if (cycle == null && session.readsMayBeServed()) {
            Bind.Target bindsNoRead = bindsNoRead(frame);
            if (bindsNoRead != null) {
                effects.bound(bindsNoRead);
                send(frame, null, false);
                return;
            }
            cycle = new ExtendedCycle();
        }
        if (cycle == null) {
            forward(frame, null, false);
        } else if (!cycle.add(frame)) {
            releaseCycle();
        }
    }

    /**
     * The target of a Bind that opens a cycle with a prepared statement that cannot be a cacheable
     * read (a BEGIN, a write): such a cycle is not held, but goes upstream as it comes. Null for any
     * other message, and for a malformed Bind, which is left to the hold to refuse as any other.
     */
    private Bind.Target bindsNoRead(Frame frame) {
        if (frame.frontendType() != FrontendType.BIND) {
            return null;
        }
        try {
            Bind.Target target = Bind.target(frame.body());
            return reads.cannotRead(target.statement()) ? target : null;
        } catch (ProtocolViolationException malformed) {
            return null;
        }
    }

    /** Forwards what is held: the cycle cannot be answered from the cache. */
    void releaseCycle() {
        if (cycle != null) {
            ExtendedCycle released = cycle;
            cycle = null;
            released.forEachHeld((frame, message) -> forward(frame, message, false));
        }
    }

    void onSync(Frame sync) {
        ExtendedCycle held = cycle;
        cycle = null;
        if (held == null) {
            endForwardedCycle(sync, Invalidation.NONE);
        } else if (!held.isAnswerable() || !session.readsMayBeServed() || held.parsesANameTwice()
                || !reads.mayRead(held)) {
            forwardCycle(held, sync, Invalidation.NONE);
        } else if (!state.isKnown() && cache.catalogHealth().unavailable(state.startupDatabase())) {
            forwardCycle(held, sync, Invalidation.NONE);
        } else if (!state.isKnown()) {
            hold(held, sync, SessionCache.Wait.SESSION_STATE);
            own.sendProbe();
        } else {
            judgeReads(held, sync);
        }
    }

    /** Each unit of the cycle as a cacheable read, then served or captured; else the cycle goes upstream. */
    private void judgeReads(ExtendedCycle held, Frame sync) {
        CycleReads.Verdict verdict = reads.judge(held);
        if (verdict instanceof CycleReads.Forward forward) {
            forwardCycle(held, sync, forward.hidden());
        } else if (verdict instanceof CycleReads.AskCatalog ask) {
            hold(held, sync, SessionCache.Wait.CATALOG);
            own.startLookUp(ask.lookUp());
        } else {
            serve(held, sync, ((CycleReads.Reads) verdict).reads());
        }
    }

    private void serve(ExtendedCycle held, Frame sync, List<HitOrLead.Read> reads) {
        HitOrLead.Outcome outcome;
        if (reads.size() == 1 && session.alone()) {
            SessionProbe.Result stateNow = state.probed();
            outcome = hitOrLead.one(reads.get(0), landed -> session.onFlightLanded(landed, stateNow));
        } else {
            outcome = hitOrLead.all(reads);
        }
        if (outcome instanceof HitOrLead.Answer answer) {
            answeredParses(held);
            held.release();
            sync.release();
            session.answer(answer.reply());
        } else if (outcome instanceof HitOrLead.Lead lead) {
            // Reads the catalog judged cacheable: their messages change nothing, whatever their text says.
            held.forEachHeld((frame, message) -> forward(frame, message, true));
            effects.endCycle();
            sendSync(sync, new Expectation.Capture(lead.reads(), lead.sequence(), takeParses()));
        } else if (outcome instanceof HitOrLead.Relay) {
            held.forEachHeld((frame, message) -> forward(frame, message, true));
            endForwardedCycle(sync, Invalidation.NONE);
        } else {
            session.follow(held, sync, reads.get(0));
        }
    }

    /**
     * Forwards a held cycle and its Sync; what its Executes may change is invalidated, and
     * {@code hidden}: what the catalog found it may change beyond its text.
     */
    void forwardCycle(ExtendedCycle held, Frame sync, Invalidation hidden) {
        if (!hidden.isNone()) {
            state.forget();
            writes.invalidate(hidden, false);
        }
        held.forEachHeld((frame, message) -> forward(frame, message, false));
        endForwardedCycle(sync, hidden);
    }

    private void endForwardedCycle(Frame sync, Invalidation hidden) {
        boolean mayEndBlock = effects.cycleMayEndBlock();
        boolean inBlock = session.runsInBlock(mayEndBlock);
        sendSync(sync, new Expectation.Forward(effects.endCycle().and(hidden), takeParses(), inBlock, mayEndBlock));
    }

    private void sendSync(Frame sync, Expectation expectation) {
        session.send(sync, expectation);
        forwardingCycle = false;
    }

    /** Puts the cycle back in front of what is held, to be judged again once {@code reason} is over. */
    private void hold(ExtendedCycle held, Frame sync, SessionCache.Wait reason) {
        session.hold(sync, reason);
        List<Frame> frames = held.frames();
        for (int i = frames.size() - 1; i >= 0; i--) {
            session.hold(frames.get(i), reason);
        }
    }

    /**
     * Sends one message of a cycle upstream ({@code decoded} when it was held, else null). Unless
     * {@code judgedRead} (the cycle's reads the catalog found cacheable, as captured misses), what its
     * Execute may change is invalidated, judged from the statement's text and narrowed or widened by
     * the catalog.
     */
    private void forward(Frame frame, FrontendMessage decoded, boolean judgedRead) {
        FrontendMessage message;
        try {
            message = effects.note(frame, decoded, state.standardConformingStrings());
        } catch (RuntimeException malformed) {
            frame.release();
            throw malformed;
        }
        send(frame, message, judgedRead);
    }

    /** Sends a message {@link ExtendedProtocolEffects} has noted ({@code message} when decoded, else null). */
    private void send(Frame frame, FrontendMessage message, boolean judgedRead) {
        beforeForwarding();
        forwardingCycle = true;
        if (message instanceof Parse parse) {
            statements.parseSent(parse);
        } else if (message instanceof Close close && close.kind() == TargetKind.STATEMENT) {
            statements.forget(close.name());
        }
        if (!judgedRead && effects.lastMayChangeAnything()) {
            judgeEffects();
        }
        session.sendInCycle(frame);
    }

    private void judgeEffects() {
        if (effects.changesSessionState()) {
            state.forget();
        }
        if (effects.mayHaveDroppedStatements() || effects.mayHaveNamedStatements()) {
            forgetStatements(effects.mayHaveNamedStatements());
        }
        boolean inBlock = session.runsInBlock(effects.cycleMayEndBlock());
        WriteQuestion written = effects.lastWritten();
        Invalidation ran = written == null ? effects.lastInvalidation() : writes.answerOrWorst(written);
        effects.ran(ran);
        writes.sent(ran, effects.lastMayEndBlock(), inBlock);
        if (effects.lastHiddenWrites() != null) {
            writes.invalidateHidden(effects.lastHiddenWrites(), inBlock);
        }
    }

    /** The Parse of a prepared statement the upstream has under this name, or null if that is not sure. */
    Parse upstreamStatement(String name) {
        return statements.upstreamParse(name);
    }

    /**
     * Before the first message of a cycle goes upstream: prepares there the statements whose Parse a
     * cache hit answered, so that whatever comes next finds them, in a cycle of the proxy's own.
     */
    void beforeForwarding() {
        if (forwardingCycle || !statements.hasUnprepared()) {
            return;
        }
        ByteBuf prepare = Unpooled.buffer();
        statements.writeUnprepared(prepare);
        Sync.INSTANCE.encode(prepare);
        own.send(prepare, new Expectation.Prepare());
    }

    /**
     * Something sent upstream may have dropped or named prepared statements: forget them all, after
     * preparing upstream those a hit answered (a DEALLOCATE of one must not lose the others).
     */
    void forgetStatements(boolean namesMayBeTaken) {
        beforeForwarding();
        statements.forgetAll(namesMayBeTaken);
    }

    CycleParses takeParses() {
        return statements.takeParses();
    }

    /** The cache answered the cycle: its Parses made statements the upstream lacks for now. */
    void answeredParses(ExtendedCycle held) {
        for (CycleUnit unit : held.units()) {
            if (unit.parse() != null) {
                statements.answeredHere(unit.parse(), unit.parseFrame());
                effects.readPrepared(unit.parse().statement());
            }
        }
    }

    void parseCompleted(Expected head) {
        statements.parseCompleted(head);
    }

    void close() {
        if (cycle != null) {
            cycle.release();
            cycle = null;
        }
    }
}

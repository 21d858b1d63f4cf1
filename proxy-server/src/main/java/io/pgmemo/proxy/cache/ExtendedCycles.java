package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.cache.SessionState.KnownStatement;
import io.pgmemo.proxy.reply.Expected;
import java.util.ArrayList;
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
    private final ExtendedProtocolEffects effects;
    private final PreparedStatements statements = new PreparedStatements();
    /** Extended-protocol messages held until their Sync, while they may be answered from the cache. */
    private ExtendedCycle cycle;
    /** Some message of the client's current cycle went upstream: the rest must follow it there. */
    private boolean forwardingCycle;
    private CycleParses parsesSent = new CycleParses();

    ExtendedCycles(SessionCache session, QueryCache cache, SessionState state, WriteJudgement writes,
                   HitOrLead hitOrLead) {
        this.session = session;
        this.cache = cache;
        this.state = state;
        this.writes = writes;
        this.hitOrLead = hitOrLead;
        this.effects = new ExtendedProtocolEffects(cache.classifications());
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
            cycle = new ExtendedCycle();
        }
        if (cycle == null) {
            forward(frame, false);
        } else if (!cycle.add(frame)) {
            releaseCycle();
        }
    }

    /** Forwards what is held: the cycle cannot be answered from the cache. */
    void releaseCycle() {
        if (cycle != null) {
            ExtendedCycle released = cycle;
            cycle = null;
            released.frames().forEach(frame -> forward(frame, false));
        }
    }

    void onSync(Frame sync) {
        ExtendedCycle held = cycle;
        cycle = null;
        if (held == null) {
            endForwardedCycle(sync, Invalidation.NONE);
        } else if (!held.isAnswerable() || !session.readsMayBeServed() || held.parsesANameTwice()) {
            forwardCycle(held, sync, Invalidation.NONE);
        } else if (!state.isKnown() && cache.catalogHealth().unavailable(state.startupDatabase())) {
            forwardCycle(held, sync, Invalidation.NONE);
        } else if (!state.isKnown()) {
            hold(held, sync, SessionCache.Wait.SESSION_STATE);
            session.sendProbe();
        } else {
            judgeReads(held, sync);
        }
    }

    /** Each unit of the cycle as a cacheable read, then served or captured; else the cycle goes upstream. */
    private void judgeReads(ExtendedCycle held, Frame sync) {
        List<HitOrLead.Read> reads = new ArrayList<>(held.units().size());
        for (int i = 0; i < held.units().size(); i++) {
            HitOrLead.Read read = judgeRead(held, i, sync);
            if (read == null) {
                return;
            }
            reads.add(read);
        }
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
            held.frames().forEach(frame -> forward(frame, true));
            effects.endCycle();
            sendSync(sync, new Expectation.Capture(lead.reads(), lead.sequence(), takeParses()));
        } else {
            session.follow(held, sync, reads.get(0));
        }
    }

    /**
     * The read of one unit, or null when the cycle went upstream or waits for the catalog (then the
     * whole cycle is judged again).
     */
    private HitOrLead.Read judgeRead(ExtendedCycle held, int index, Frame sync) {
        CycleUnit unit = held.units().get(index);
        Parse own = held.parseOf(index);
        Parse parse = own != null ? own : statements.get(unit.bind().statement());
        boolean parseAllowed = unit.parse() == null || statements.mayParse(unit.parse().statement());
        if (parse == null || !parseAllowed || state.fingerprint() == null || state.hasTemporaryRelations()
                || unit.hasTimeDependentParameter()) {
            forwardCycle(held, sync, Invalidation.NONE);
            return null;
        }
        String sql = parse.query();
        KnownStatement known = state.knownStatement(sql);
        // Read before the verdict: answers that expire meanwhile leave it tagged with the old epoch.
        long epoch = cache.verdictEpoch();
        if (known == null || known.epoch() != epoch) {
            known = judgeStatement(held, sync, sql, epoch);
            if (known == null) {
                return null;
            }
        }
        Bind bind = unit.bind();
        CacheKey key = CacheKey.forExtendedQuery(state.keyPrefix(), unit.signature(), sql, parse.parameterTypes(),
                bind.parameters(), bind.parameterFormats(), bind.resultFormats());
        return new HitOrLead.Read(key, known.relationOids(), unit.messages(), unit.parse() != null);
    }

    private KnownStatement judgeStatement(ExtendedCycle held, Frame sync, String sql, long epoch) {
        SqlShape shape = SqlShape.of(sql, state.standardConformingStrings());
        List<Classification> classified = cache.classifications().of(sql, shape, state.standardConformingStrings());
        Classification read = classified.size() == 1 ? classified.get(0) : null;
        if (read == null || !read.isCacheCandidate() || read.timeDependent() || shape.timeLiteral()) {
            forwardCycle(held, sync, Invalidation.NONE);
            return null;
        }
        SessionFingerprint f = state.fingerprint();
        Judgement<ReadVerdict> judgement = cache.judgeRead(f.database(), f.searchPath(), f.currentRole(),
                shape.text(), read);
        if (!judgement.isAnswered()) {
            if (session.lookUpPossible(judgement.lookUp())) {
                hold(held, sync, SessionCache.Wait.CATALOG);
                session.startLookUp(judgement.lookUp());
            } else {
                forwardCycle(held, sync, Invalidation.NONE);
            }
            return null;
        }
        session.verdictKnown();
        ReadVerdict verdict = judgement.answer();
        if (!verdict.cacheable()) {
            forwardUncacheable(held, sync, shape, read, verdict);
            return null;
        }
        KnownStatement known = new KnownStatement(verdict.relationOids(), epoch);
        state.remember(sql, known);
        return known;
    }

    /**
     * As for a simple Query: a view, policy or operator the read reaches may call a function that
     * writes or changes settings, which the catalog bounds (usually to nothing) once asked; until
     * then, and where it cannot be asked, everything.
     */
    private void forwardUncacheable(ExtendedCycle held, Frame sync, SqlShape shape, Classification read,
                                    ReadVerdict verdict) {
        if (!SimpleQueries.mayHaveSideEffects(verdict)) {
            forwardCycle(held, sync, Invalidation.NONE);
            return;
        }
        Judgement<Invalidation> judged = writes.ask(new WriteQuestion(shape, state.standardConformingStrings(),
                List.of(read), Invalidation.ALL));
        if (judged.isAnswered()) {
            forwardCycle(held, sync, judged.answer());
        } else if (session.lookUpPossible(judged.lookUp())) {
            hold(held, sync, SessionCache.Wait.CATALOG);
            session.startLookUp(judged.lookUp());
        } else {
            forwardCycle(held, sync, Invalidation.ALL);
        }
    }

    /**
     * Forwards a held cycle and its Sync; what its Executes may change is invalidated, and
     * {@code hidden}: what the catalog found it may change beyond its text.
     */
    void forwardCycle(ExtendedCycle held, Frame sync, Invalidation hidden) {
        if (!hidden.isNone()) {
            state.forget();
            writes.invalidate(hidden);
        }
        held.frames().forEach(frame -> forward(frame, false));
        endForwardedCycle(sync, hidden);
    }

    private void endForwardedCycle(Frame sync, Invalidation hidden) {
        sendSync(sync, new Expectation.Forward(effects.endCycle().and(hidden), takeParses()));
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
     * Sends one message of a cycle upstream. Unless {@code judgedRead} (the cycle's reads the catalog
     * found cacheable, as captured misses), what its Execute may change is invalidated, judged from
     * the statement's text and narrowed or widened by the catalog.
     */
    private void forward(Frame frame, boolean judgedRead) {
        FrontendMessage message;
        try {
            message = effects.note(frame, state.standardConformingStrings());
        } catch (RuntimeException malformed) {
            frame.release();
            throw malformed;
        }
        beforeForwarding();
        forwardingCycle = true;
        if (message instanceof Parse parse) {
            statements.forget(parse.statement());
            parsesSent.add(parse, statements.now());
        } else if (message instanceof Close close && close.kind() == TargetKind.STATEMENT) {
            statements.forget(close.name());
        }
        if (!judgedRead) {
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
        WriteQuestion written = effects.lastWritten();
        Invalidation ran = written == null ? effects.lastInvalidation() : writes.answerOrWorst(written);
        effects.ran(ran);
        writes.invalidate(ran);
        if (effects.lastHiddenWrites() != null) {
            writes.invalidateHidden(effects.lastHiddenWrites());
        }
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
        session.sendOwn(prepare, new Expectation.Prepare());
    }

    /**
     * Something sent upstream may have dropped or named prepared statements: forget them all, after
     * preparing upstream those a hit answered (a DEALLOCATE of one must not lose the others).
     */
    void forgetStatements(boolean namesMayBeTaken) {
        beforeForwarding();
        statements.forgetAll(namesMayBeTaken);
    }

    /** The Parse messages sent since the last request ended, which its replies confirm. */
    CycleParses takeParses() {
        if (parsesSent.isEmpty()) {
            return CycleParses.NONE;
        }
        CycleParses taken = parsesSent;
        parsesSent = new CycleParses();
        return taken;
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

    /**
     * A ParseComplete confirms the next Parse of the request it answers: the expected cycle's, or,
     * with nothing expected, the cycle still open (a Flush before its Sync, as asyncpg prepares). The
     * proxy's own (Prepare) are not tracked.
     */
    void parseCompleted(Expected head) {
        CycleParses parses = null;
        if (head == null) {
            parses = parsesSent;
        } else if (head instanceof Expectation.Forward forwarded) {
            parses = forwarded.parses();
        } else if (head instanceof Expectation.Capture capture) {
            parses = capture.parses();
        }
        if (parses != null) {
            parses.confirmNext(statements);
        }
    }

    void close() {
        if (cycle != null) {
            cycle.release();
            cycle = null;
        }
    }
}

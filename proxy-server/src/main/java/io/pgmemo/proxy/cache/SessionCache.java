package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.pgmemo.cache.admission.Admission;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.effects.HiddenWrites;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.effects.StatementEffects;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.backend.ParameterStatus;
import io.pgmemo.protocol.backend.ReadyForQuery;
import io.pgmemo.protocol.backend.TransactionStatus;
import io.pgmemo.proxy.cache.SessionState.KnownRead;
import io.pgmemo.proxy.cache.SessionState.KnownShape;
import io.pgmemo.proxy.cache.SessionState.KnownStatement;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's view of the cache: answers repeated reads from it, captures misses into it, and
 * invalidates after writes. Runs on the session's event loop only.
 *
 * <p>A read is served only when nothing is in flight, the session is outside a transaction block,
 * and its fingerprint is known (learned by {@link SessionProbe} after anything that may have changed
 * it). While a probe or a catalog look-up is outstanding, the client's messages wait in order.
 */
public final class SessionCache {
    /** A read waiting for an identical one of another session: shared when it lands, or sent then. */
    private sealed interface Awaited {
        void release();
    }

    private record AwaitedQuery(Frame query) implements Awaited {
        public void release() {
            query.release();
        }
    }

    private record AwaitedCycle(ExtendedCycle cycle, Frame sync) implements Awaited {
        public void release() {
            cycle.release();
            sync.release();
        }
    }

    private static final int MAX_QUESTIONS = 16;
    /** Past this many look-ups for one statement (DDL elsewhere keeps renewing the answers), it is forwarded. */
    private static final int MAX_LOOK_UPS_IN_A_ROW = 32;

    private static final Logger log = LoggerFactory.getLogger(SessionCache.class);
    private static final ByteBuf READY_IDLE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {'Z', 0, 0, 0, 5, 'I'}).asReadOnly());

    private final QueryCache cache;
    private final Channel client;
    private final Consumer<Frame> forward;
    private final ExtendedProtocolEffects extended;
    private final Deque<Expectation> expected = new ArrayDeque<>();
    private final Deque<Frame> waiting = new ArrayDeque<>();
    private final SessionState state = new SessionState();
    private final PreparedStatements statements = new PreparedStatements();
    /** Extended-protocol messages held until their Sync, while they may be answered from the cache. */
    private ExtendedCycle cycle;
    /** Some message of the client's current cycle went upstream: the rest must follow it there. */
    private boolean forwardingCycle;
    private CycleParses parsesSent = new CycleParses();
    private boolean lookupInFlight;
    /** A read held while an identical one of another session is on its way upstream. */
    private Awaited awaitingFlight;
    private Channel upstream;
    private TransactionStatus status = TransactionStatus.IDLE;
    private Invalidation uncommitted = Invalidation.NONE;
    /**
     * What forwarded statements may write that the catalog could not be asked while the session was
     * busy: assumed the worst then, asked at the session's next idle point so that the next time is known.
     */
    private final List<WriteQuestion> questions = new ArrayList<>();
    /** Catalog look-ups run for the statement now being judged. */
    private int lookUpsInARow;
    /** The transaction block now open sees an old snapshot of the catalog: no look-up runs in it. */
    private boolean oldSnapshot;

    public SessionCache(QueryCache cache, Channel client, Consumer<Frame> forward) {
        this.cache = cache;
        this.client = client;
        this.forward = forward;
        this.extended = new ExtendedProtocolEffects(cache.classifications());
    }

    public void upstreamConnected(Channel upstream) {
        this.upstream = upstream;
    }

    // ---- client to upstream ------------------------------------------------------------------

    /** Takes every client frame after startup; forwards it, serves it, or holds it. */
    public void onClientFrame(Frame frame) {
        if (lookupInFlight || !waiting.isEmpty()) {
            waiting.add(frame);
            return;
        }
        handle(frame);
    }

    private void handle(Frame frame) {
        switch (frame.frontendType()) {
            case QUERY -> {
                releaseCycle();
                onQuery(frame);
            }
            case PARSE, BIND, DESCRIBE, EXECUTE, CLOSE -> onExtendedMessage(frame);
            case SYNC -> onSync(frame);
            case FUNCTION_CALL -> {
                releaseCycle();
                forgetState();
                forgetStatements(false);
                send(frame, new Expectation.Forward(Invalidation.ALL, takeParses()));
            }
            default -> {
                releaseCycle();
                forward.accept(frame);
            }
        }
    }

    // ---- extended protocol -------------------------------------------------------------------

    private void onExtendedMessage(Frame frame) {
        if (cycle == null && !forwardingCycle && expected.isEmpty() && status == TransactionStatus.IDLE) {
            cycle = new ExtendedCycle();
        }
        if (cycle == null) {
            forwardExtended(frame, false);
        } else if (!cycle.add(frame)) {
            releaseCycle();
        }
    }

    /** Forwards what is held: the cycle cannot be answered from the cache. */
    private void releaseCycle() {
        if (cycle != null) {
            ExtendedCycle held = cycle;
            cycle = null;
            held.frames().forEach(frame -> forwardExtended(frame, false));
        }
    }

    /**
     * Sends one message of a cycle upstream. Unless {@code judgedRead} (the cycle is a read the catalog
     * found cacheable, as a captured miss), what its Execute may change is invalidated, judged from
     * the statement's text.
     */
    private void forwardExtended(Frame frame, boolean judgedRead) {
        FrontendMessage message;
        try {
            message = extended.note(frame, state.standardConformingStrings());
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
            if (extended.changesSessionState()) {
                forgetState();
            }
            if (extended.mayHaveDroppedStatements() || extended.mayHaveNamedStatements()) {
                forgetStatements(extended.mayHaveNamedStatements());
            }
            WriteQuestion written = extended.lastWritten();
            Invalidation ran = written == null ? extended.lastInvalidation() : judgedWrites(written);
            extended.ran(ran);
            invalidate(ran);
            if (extended.lastHiddenWrites() != null) {
                judge(extended.lastHiddenWrites());
            }
        }
        forward.accept(frame);
    }

    /**
     * What an Execute's statement may change: {@code fromText}, narrowed to the tables it writes (or
     * widened, for a trigger that may do anything) by the catalog's answer for its shape when that is
     * kept. Mid-cycle the catalog cannot be asked: then the worst case, and the question waits for
     * the session's next idle point, as for a simple Query in a transaction block.
     */
    private Invalidation judgedWrites(WriteQuestion question) {
        Judgement<Invalidation> judgement = cache.judgeWrites(database(), question.shape(),
                question.standardConformingStrings(), question.statements(), question.fromText());
        return judgement.isAnswered() ? judgement.answer() : assumeWorst(question);
    }

    /** The catalog cannot be asked now: the worst case, and the question at the next idle point. */
    private Invalidation assumeWorst(WriteQuestion question) {
        askLater(question);
        return question.fromText().and(Invalidation.ALL_DATA);
    }

    /**
     * Invalidates what the statement's views, policies or operators may write. Mid-cycle the catalog
     * cannot be asked: unless its answer is kept, every entry is dropped, and the question waits for
     * the session's next idle point.
     */
    private void judge(HiddenWrites hidden) {
        invalidateHidden(judgedWrites(new WriteQuestion(hidden.shape(), hidden.standardConformingStrings(),
                hidden.statements(), Invalidation.NONE)));
    }

    private void invalidateHidden(Invalidation invalidation) {
        if (!invalidation.isNone()) {
            log.debug("invalidates {} {}: a view, policy or operator read may write", invalidation.extent(),
                    invalidation.tables());
            forgetState();
            invalidate(invalidation);
        }
    }

    private void onSync(Frame sync) {
        ExtendedCycle held = cycle;
        cycle = null;
        if (held == null) {
            endForwardedCycle(sync, Invalidation.NONE);
        } else if (!held.isAnswerable() || !expected.isEmpty() || status != TransactionStatus.IDLE) {
            forwardCycle(held, sync);
        } else if (!state.isKnown() && cache.catalogHealth().unavailable(state.startupDatabase())) {
            forwardCycle(held, sync);
        } else if (!state.isKnown()) {
            holdCycle(held, sync);
            sendProbe();
        } else {
            lookUpCycle(held, sync);
        }
    }

    private void lookUpCycle(ExtendedCycle held, Frame sync) {
        Parse parse = held.parse() != null ? held.parse() : statements.get(held.bind().statement());
        boolean parseAllowed = held.parse() == null || statements.mayParse(parse.statement());
        if (parse == null || !parseAllowed || state.fingerprint() == null || state.hasTemporaryRelations()
                || held.hasTimeDependentParameter()) {
            forwardCycle(held, sync);
            return;
        }
        String sql = parse.query();
        KnownStatement known = state.knownStatement(sql);
        // Read before the verdict: answers that expire meanwhile leave it tagged with the old epoch.
        long epoch = cache.verdictEpoch();
        if (known == null || known.epoch() != epoch) {
            SqlShape shape = SqlShape.of(sql, state.standardConformingStrings());
            List<Classification> classified = cache.classifications().of(sql, shape,
                    state.standardConformingStrings());
            Classification read = classified.size() == 1 ? classified.get(0) : null;
            if (read == null || !read.isCacheCandidate() || read.timeDependent() || shape.timeLiteral()) {
                forwardCycle(held, sync);
                return;
            }
            SessionFingerprint f = state.fingerprint();
            Judgement<ReadVerdict> judgement = cache.judgeRead(f.database(), f.searchPath(), f.currentRole(),
                    shape.text(), read);
            if (!judgement.isAnswered()) {
                if (lookUpPossible(judgement.lookUp())) {
                    holdCycle(held, sync);
                    runLookUp(judgement.lookUp(), this::resumeAfterLookUp);
                } else {
                    forwardCycle(held, sync);
                }
                return;
            }
            lookUpsInARow = 0;
            ReadVerdict verdict = judgement.answer();
            if (!verdict.cacheable()) {
                forwardUncacheable(held, sync, shape, read, verdict);
                return;
            }
            known = new KnownStatement(verdict.relationOids(), epoch);
            state.remember(sql, known);
        }
        Bind bind = held.bind();
        CacheKey key = CacheKey.forExtendedQuery(state.keyPrefix(), held.signature(), sql, parse.parameterTypes(),
                bind.parameters(), bind.parameterFormats(), bind.resultFormats());
        answerOrCapture(held, sync, key, known);
    }

    private void answerOrCapture(ExtendedCycle held, Frame sync, CacheKey key, KnownStatement known) {
        long now = System.currentTimeMillis();
        CachedResult hit = cache.tiers().getHot(key, now);
        if (hit != null) {
            if (log.isDebugEnabled()) {
                log.debug("hit {}", key.digestHex());
            }
            answeredParse(held);
            held.release();
            sync.release();
            answer(hit);
            return;
        }
        cache.stats().miss();
        if (log.isDebugEnabled()) {
            log.debug("miss {}", key.digestHex());
        }
        SessionProbe.Result stateNow = state.probed();
        Flight flight = cache.joinOrLead(key,
                landed -> client.eventLoop().execute(() -> onFlightLanded(landed, stateNow)));
        if (flight == null) {
            lookupInFlight = true;
            awaitingFlight = new AwaitedCycle(held, sync);
            return;
        }
        long sequence = cache.tiers().invalidationSequence();
        boolean admitted = cache.admit(key, now).stores();
        // A read the catalog judged cacheable: its messages change nothing, whatever their text says.
        held.frames().forEach(frame -> forwardExtended(frame, true));
        extended.endCycle();
        sendSync(sync, new Expectation.Capture(key, known.relationOids(), sequence,
                new ResultCapture(cache.config().maxEntryBytes()), admitted, flight, takeParses()));
    }

    /** The cache answered the cycle: its Parse, if any, made a statement the upstream lacks for now. */
    private void answeredParse(ExtendedCycle held) {
        if (held.parse() != null) {
            statements.answeredHere(held.parse(), held.parseFrame());
            extended.readPrepared(held.parse().statement());
        }
    }

    /**
     * As for a simple Query: a view, policy or operator the read reaches may call a function that
     * writes or changes settings, which the catalog bounds (usually to nothing) once asked; until
     * then, and where it cannot be asked, everything.
     */
    private void forwardUncacheable(ExtendedCycle held, Frame sync, SqlShape shape, Classification read,
                                    ReadVerdict verdict) {
        if (!mayHaveSideEffects(verdict)) {
            forwardCycle(held, sync, Invalidation.NONE);
            return;
        }
        Judgement<Invalidation> writes = cache.judgeWrites(database(), shape, state.standardConformingStrings(),
                List.of(read), Invalidation.ALL);
        if (writes.isAnswered()) {
            forwardCycle(held, sync, writes.answer());
        } else if (lookUpPossible(writes.lookUp())) {
            holdCycle(held, sync);
            runLookUp(writes.lookUp(), this::resumeAfterLookUp);
        } else {
            forwardCycle(held, sync, Invalidation.ALL);
        }
    }

    /** Forwards a held cycle and its Sync; what its Executes may change is invalidated. */
    private void forwardCycle(ExtendedCycle held, Frame sync) {
        forwardCycle(held, sync, Invalidation.NONE);
    }

    /** The same, also invalidating {@code hidden}: what the catalog found it may change beyond its text. */
    private void forwardCycle(ExtendedCycle held, Frame sync, Invalidation hidden) {
        if (!hidden.isNone()) {
            forgetState();
            invalidate(hidden);
        }
        held.frames().forEach(frame -> forwardExtended(frame, false));
        endForwardedCycle(sync, hidden);
    }

    private void endForwardedCycle(Frame sync, Invalidation hidden) {
        sendSync(sync, new Expectation.Forward(extended.endCycle().and(hidden), takeParses()));
    }

    /** Sends the Sync that ends the client's cycle; {@code expectation} is what its answer holds. */
    private void sendSync(Frame sync, Expectation expectation) {
        send(sync, expectation);
        forwardingCycle = false;
    }

    /** Sends a message upstream, after anything the proxy must send first; expects {@code expectation} (or nothing). */
    private void send(Frame frame, Expectation expectation) {
        beforeForwarding();
        if (expectation != null) {
            expected.add(expectation);
        }
        forward.accept(frame);
    }

    /** Puts the cycle back in front of what waits, to be handled again once the session state or verdict is known. */
    private void holdCycle(ExtendedCycle held, Frame sync) {
        lookupInFlight = true;
        waiting.addFirst(sync);
        List<Frame> frames = held.frames();
        for (int i = frames.size() - 1; i >= 0; i--) {
            waiting.addFirst(frames.get(i));
        }
    }

    /**
     * Before the first message of a cycle goes upstream: prepares there the statements whose Parse a
     * cache hit answered, so that whatever comes next finds them, in a cycle of the proxy's own.
     */
    private void beforeForwarding() {
        if (forwardingCycle || !statements.hasUnprepared()) {
            return;
        }
        ByteBuf prepare = upstream.alloc().buffer();
        statements.writeUnprepared(prepare);
        Sync.INSTANCE.encode(prepare);
        expected.add(new Expectation.Prepare());
        upstream.write(prepare, upstream.voidPromise());
    }

    /**
     * Something sent upstream may have dropped or named prepared statements: forget them all, after
     * preparing upstream those a hit answered (a DEALLOCATE of one must not lose the others).
     */
    private void forgetStatements(boolean namesMayBeTaken) {
        beforeForwarding();
        statements.forgetAll(namesMayBeTaken);
    }

    private CycleParses takeParses() {
        if (parsesSent.isEmpty()) {
            return CycleParses.NONE;
        }
        CycleParses taken = parsesSent;
        parsesSent = new CycleParses();
        return taken;
    }

    private void onQuery(Frame frame) {
        if (cache.catalogHealth().unavailable(state.startupDatabase()) && PlainSelect.matches(frame.body())) {
            // Nothing of the database is cached meanwhile, and such a read changes nothing: relay it.
            cache.catalogHealth().relayedUncached();
            send(frame, new Expectation.Forward(Invalidation.NONE, takeParses()));
            return;
        }
        String sql = ((Query) FrontendMessage.decode(frame)).sql();
        boolean idle = expected.isEmpty() && status == TransactionStatus.IDLE && !forwardingCycle;
        if (state.isKnown() && idle) {
            KnownRead known = state.knownRead(sql);
            if (known != null && known.epoch() == cache.verdictEpoch()) {
                serveOrCapture(frame, sql, known, true);
                return;
            }
        }
        SqlShape shape = SqlShape.of(sql, state.standardConformingStrings());
        if (state.isKnown() && idle && !shape.timeLiteral()) {
            KnownShape known = state.knownShape(shape.text());
            if (known != null && known.epoch() == cache.verdictEpoch()
                    && known.standardConformingStrings() == state.standardConformingStrings()) {
                serveOrCapture(frame, sql, new KnownRead(CacheKey.forSimpleQuery(state.keyPrefix(), sql),
                        known.relationOids(), known.epoch()), false);
                return;
            }
        }
        List<Classification> statements = cache.classifications().of(sql, shape, state.standardConformingStrings());
        Classification only = statements.size() == 1 ? statements.get(0) : null;
        if (only != null && only.isCacheCandidate() && idle) {
            lookUp(frame, sql, shape, only);
            return;
        }
        forwardStatements(frame, shape, statements, StatementEffects.invalidation(statements));
    }

    /**
     * Sends statements that are not served from the cache, invalidating what they may change.
     *
     * @param fromText what they may change judged from their words; the catalog may narrow it
     */
    private void forwardStatements(Frame frame, SqlShape shape, List<Classification> statements,
                                   Invalidation fromText) {
        Judgement<Invalidation> judgement = cache.judgeWrites(database(), shape, state.standardConformingStrings(),
                statements, fromText);
        Invalidation invalidation;
        if (judgement.isAnswered()) {
            lookUpsInARow = 0;
            invalidation = judgement.answer();
        } else if (idleForLookUp() && lookUpPossible(judgement.lookUp())) {
            hold(frame);
            runLookUp(judgement.lookUp(), this::resumeAfterLookUp);
            return;
        } else {
            // Inside a transaction block or behind other statements: assume the worst, ask later.
            invalidation = assumeWorst(new WriteQuestion(shape, state.standardConformingStrings(), statements,
                    fromText));
        }
        if (!fromText.isNone() || !invalidation.isNone() || !StatementEffects.keepsSessionState(statements)) {
            forgetState();
        }
        boolean namesStatements = StatementEffects.mayNameStatements(statements);
        if (namesStatements || StatementEffects.mayDropStatements(statements)) {
            forgetStatements(namesStatements);
        }
        if (!invalidation.isNone() && log.isDebugEnabled()) {
            log.debug("invalidates {} {}: {}", invalidation.extent(), invalidation.tables(),
                    statements.stream().map(Classification::command).toList());
        }
        if (!StatementEffects.unreadable(statements)) {
            invalidate(invalidation);
        }
        send(frame, new Expectation.Forward(invalidation, takeParses()));
    }

    private void lookUp(Frame frame, String sql, SqlShape shape, Classification read) {
        if (!state.isKnown() && cache.catalogHealth().unavailable(state.startupDatabase())) {
            // Nothing of the database is cached meanwhile: relay it as it is.
            forwardStatements(frame, shape, List.of(read), StatementEffects.invalidation(read));
            return;
        }
        if (!state.isKnown()) {
            hold(frame);
            sendProbe();
            return;
        }
        if (state.fingerprint() == null || state.hasTemporaryRelations() || read.timeDependent()
                || shape.timeLiteral()) {
            forwardStatements(frame, shape, List.of(read), StatementEffects.invalidation(read));
            return;
        }
        String database = state.fingerprint().database();
        String searchPath = state.fingerprint().searchPath();
        String role = state.fingerprint().currentRole();
        // Read before the verdict: answers that expire meanwhile leave it tagged with the old epoch.
        long epoch = cache.verdictEpoch();
        Judgement<ReadVerdict> judgement = cache.judgeRead(database, searchPath, role, shape.text(), read);
        if (judgement.isAnswered()) {
            lookUpsInARow = 0;
            serveOrCapture(frame, sql, shape, read, judgement.answer(), epoch);
        } else if (lookUpPossible(judgement.lookUp())) {
            hold(frame);
            runLookUp(judgement.lookUp(), this::resumeAfterLookUp);
        } else {
            forwardStatements(frame, shape, List.of(read), StatementEffects.invalidation(read));
        }
    }

    private void serveOrCapture(Frame frame, String sql, SqlShape shape, Classification read, ReadVerdict verdict,
                                long epoch) {
        if (!verdict.cacheable()) {
            log.debug("not cacheable ({}): {}", verdict.reason(), read.command());
            // Unless refused for time alone, a view, policy or operator may call a function that writes
            // or changes settings.
            Invalidation fromText = mayHaveSideEffects(verdict)
                    ? Invalidation.ALL : StatementEffects.invalidation(read);
            forwardStatements(frame, shape, List.of(read), fromText);
            return;
        }
        state.remember(shape.text(), new KnownShape(verdict.relationOids(), epoch,
                state.standardConformingStrings()));
        serveOrCapture(frame, sql, new KnownRead(CacheKey.forSimpleQuery(state.keyPrefix(), sql),
                verdict.relationOids(),
                epoch), false);
    }

    /** Remembers a read that repeats; a text seen once (a point lookup of a new key) is not kept. */
    private void remember(String sql, KnownRead read) {
        state.remember(sql, read);
    }

    /** @param remembered the read came from the state's known reads (remembering it again could clear them) */
    private void serveOrCapture(Frame frame, String sql, KnownRead read, boolean remembered) {
        long now = System.currentTimeMillis();
        CachedResult hit = cache.tiers().getHot(read.key(), now);
        if (hit != null) {
            if (!remembered) {
                remember(sql, read);
            }
            frame.release();
            if (log.isDebugEnabled()) {
                log.debug("hit {}", read.key().digestHex());
            }
            answer(hit);
            return;
        }
        cache.stats().miss();
        if (log.isDebugEnabled()) {
            log.debug("miss {}", read.key().digestHex());
        }
        SessionProbe.Result stateNow = state.probed();
        Flight flight = cache.joinOrLead(read.key(),
                landed -> client.eventLoop().execute(() -> onFlightLanded(landed, stateNow)));
        if (flight == null) {
            // An identical read of another session is on its way: wait for its answer.
            lookupInFlight = true;
            awaitingFlight = new AwaitedQuery(frame);
            return;
        }
        Admission admission = cache.admit(read.key(), now);
        if (admission == Admission.REPEATED && !remembered) {
            remember(sql, read);
        }
        send(frame, new Expectation.Capture(read.key(), read.relationOids(), cache.tiers().invalidationSequence(),
                new ResultCapture(cache.config().maxEntryBytes()), admission.stores(), flight, takeParses()));
    }

    /** The read this session waited for came back to another session: share it, or send our own. */
    private void onFlightLanded(CachedResult landed, SessionProbe.Result stateThen) {
        Awaited awaited = awaitingFlight;
        if (awaited == null) {
            return;
        }
        awaitingFlight = null;
        lookupInFlight = false;
        if (landed != null && state.probed() == stateThen) {
            if (awaited instanceof AwaitedCycle held) {
                answeredParse(held.cycle());
            }
            awaited.release();
            cache.stats().coalesced();
            answer(landed);
        } else if (awaited instanceof AwaitedCycle held) {
            forwardCycle(held.cycle(), held.sync());
        } else if (awaited instanceof AwaitedQuery held) {
            send(held.query(), new Expectation.Forward(Invalidation.NONE, takeParses()));
        }
        resume();
    }

    /** Sends a stored result and the ReadyForQuery (idle) that ends it, as the upstream would have. */
    private void answer(CachedResult result) {
        client.write(Unpooled.wrappedBuffer(result.response()), client.voidPromise());
        client.writeAndFlush(READY_IDLE.duplicate(), client.voidPromise());
    }

    /**
     * Whether a refused read may reach a view, policy or operator that calls a function that writes or
     * changes settings. Not when only time refused it; nor while the catalog is unavailable, when
     * nothing of the database is cached (see {@link CatalogHealth}).
     */
    private static boolean mayHaveSideEffects(ReadVerdict verdict) {
        return switch (verdict.refusal()) {
            case TIME_DEPENDENT, CATALOG_UNAVAILABLE -> false;
            case NONE, OTHER -> true;
        };
    }

    private void forgetState() {
        state.forget();
    }

    private void learnState(SessionProbe.Result learned) {
        state.learn(learned);
    }

    private void hold(Frame frame) {
        lookupInFlight = true;
        waiting.addFirst(frame);
    }

    private void resumeAfterLookUp() {
        lookupInFlight = false;
        resume();
    }

    private void resume() {
        while (!lookupInFlight && !waiting.isEmpty()) {
            handle(waiting.poll());
        }
        if (upstream != null) {
            upstream.flush();
        }
    }

    /**
     * Nothing in flight or held, and no failed transaction block: the proxy may use the connection
     * itself (in a transaction block, inside a savepoint of its own).
     */
    private boolean idleForLookUp() {
        boolean usable = switch (status) {
            case IDLE -> true;
            // Its own uncommitted catalog changes would be seen, and kept for every session.
            case IN_TRANSACTION -> !oldSnapshot && uncommitted.extent() != Invalidation.Extent.ALL
                    && !uncommitted.answers();
            case FAILED -> false;
        };
        return usable && expected.isEmpty() && !forwardingCycle && cycle == null && !lookupInFlight;
    }

    private boolean lookUpPossible(CatalogLookUp lookUp) {
        return lookUpsInARow < MAX_LOOK_UPS_IN_A_ROW
                && CatalogLookUpRun.canRun(lookUp, state.charset());
    }

    /** Runs a catalog look-up in this session (idle: nothing else in flight); then {@code then}. */
    private void runLookUp(CatalogLookUp lookUp, Runnable then) {
        lookupInFlight = true;
        lookUpsInARow++;
        if (log.isDebugEnabled()) {
            log.debug("catalog look-up: {}", lookUp.what());
        }
        CatalogLookUpRun run = new CatalogLookUpRun(lookUp, database(), state.charset(),
                status == TransactionStatus.IN_TRANSACTION, then);
        sendOwn(run.sql(), new Expectation.LookUp(run));
    }

    /** Sends a Query of the proxy's own, whose replies the expectation swallows. */
    private void sendOwn(String sql, Expectation expectation) {
        ByteBuf query = upstream.alloc().buffer();
        new Query(sql).encode(query);
        expected.add(expectation);
        upstream.writeAndFlush(query, upstream.voidPromise());
    }

    private void askLater(WriteQuestion question) {
        if (questions.size() < MAX_QUESTIONS) {
            questions.add(question);
        }
    }

    /** At an idle point: asks the catalog what the forwarded statements whose writes were assumed may write. */
    private void askQuestions() {
        while (!questions.isEmpty() && idleForLookUp() && waiting.isEmpty()) {
            WriteQuestion q = questions.get(0);
            Judgement<Invalidation> judgement = cache.judgeWrites(database(), q.shape(), q.standardConformingStrings(),
                    q.statements(), q.fromText());
            if (judgement.isAnswered() || !lookUpPossible(judgement.lookUp())) {
                questions.remove(0);
                lookUpsInARow = 0;
                continue;
            }
            runLookUp(judgement.lookUp(), () -> {
                lookupInFlight = false;
                askQuestions();
                resume();
            });
            return;
        }
    }

    private void sendProbe() {
        sendOwn(SessionProbe.SQL, new Expectation.Probe());
    }

    /** Drops what the statement may have changed now, and again when its transaction ends. */
    private void invalidate(Invalidation invalidation) {
        dropCached(invalidation);
        uncommitted = uncommitted.and(invalidation);
    }

    private void dropCached(Invalidation invalidation) {
        switch (invalidation.extent()) {
            case ALL -> cache.invalidateAll();
            case ALL_DATA -> cache.invalidateAllData();
            case DATABASE -> cache.invalidateDatabase(database());
            case TABLES -> cache.invalidateTables(database(), invalidation.tables());
            case NONE -> { }
        }
        if (invalidation.answers() && invalidation.extent() != Invalidation.Extent.ALL) {
            cache.forgetCatalogAnswers();
        }
    }

    private String database() {
        return state.database();
    }

    /** The database named at startup: the session cannot change it. */
    public void startupDatabase(String database) {
        state.startupDatabase(database);
    }

    // ---- upstream to client ------------------------------------------------------------------

    /** Sees every upstream frame first; false means the frame was the proxy's own and is swallowed. */
    public boolean onBackendFrame(Frame frame) {
        BackendType type = frame.backendType();
        if (type == BackendType.PARAMETER_STATUS) {
            onParameterStatus(frame);
        }
        Expectation head = expected.peek();
        if (type == BackendType.PARSE_COMPLETE) {
            CycleParses parses = parsesAnswered(head);
            if (parses != null) {
                parses.confirmNext(statements);
            }
        }
        boolean relay = head == null || onExpected(head, frame, type);
        if (type == BackendType.READY_FOR_QUERY && head != null) {
            expected.poll();
            onReadyForQuery(ReadyForQuery.statusOf(frame.body()));
            if (head instanceof Expectation.Probe) {
                lookupInFlight = false;
                resume();
            } else if (head instanceof Expectation.LookUp lookUp) {
                if (lookUp.run().leftTransactionFailed()) {
                    sendOwn(CatalogLookUp.RECOVER_IN_TRANSACTION, new Expectation.Recover());
                }
                oldSnapshot |= lookUp.run().sawAnOldSnapshot();
                lookUp.run().finish(cache.catalogHealth());
            }
            if (!questions.isEmpty()) {
                askQuestions();
            }
        }
        return relay;
    }

    private boolean onExpected(Expectation head, Frame frame, BackendType type) {
        if (head instanceof Expectation.Probe) {
            onProbeReply(frame, type);
            return false;
        }
        if (head instanceof Expectation.LookUp lookUp) {
            lookUp.run().onReply(frame, type);
            return false;
        }
        if (head instanceof Expectation.Recover) {
            return false;
        }
        if (head instanceof Expectation.Prepare) {
            if (type == BackendType.ERROR_RESPONSE) {
                log.debug("a statement prepared again upstream after cache hits failed");
            }
            return false;
        }
        if (head instanceof Expectation.Capture capture) {
            onCaptureReply(capture, frame, type);
        } else if (head instanceof Expectation.Forward forwarded && completes(type)) {
            invalidate(forwarded.writes());
        }
        return true;
    }

    /** A statement ran (CommandComplete), or a function did (FunctionCallResponse: no CommandComplete comes). */
    private static boolean completes(BackendType type) {
        return type == BackendType.COMMAND_COMPLETE || type == BackendType.FUNCTION_CALL_RESPONSE;
    }

    /**
     * The client's Parse messages a ParseComplete now answers: those of the expected cycle, or, with
     * nothing expected, of the cycle still open (a Flush before its Sync, as asyncpg prepares).
     * The proxy's own (Prepare) are not tracked.
     */
    private CycleParses parsesAnswered(Expectation head) {
        if (head == null) {
            return parsesSent;
        }
        if (head instanceof Expectation.Forward forwarded) {
            return forwarded.parses();
        }
        return head instanceof Expectation.Capture capture ? capture.parses() : null;
    }

    private void onProbeReply(Frame frame, BackendType type) {
        if (type == BackendType.DATA_ROW) {
            Charset charset = state.charset();
            learnState(charset == null ? new SessionProbe.Result(null, false)
                    : SessionProbe.parse(frame.body(), charset));
        } else if (type == BackendType.ERROR_RESPONSE) {
            learnState(new SessionProbe.Result(null, false));
        }
    }

    private void onCaptureReply(Expectation.Capture capture, Frame frame, BackendType type) {
        switch (type) {
            case ROW_DESCRIPTION, COMMAND_COMPLETE, PARSE_COMPLETE, BIND_COMPLETE, PARAMETER_DESCRIPTION, NO_DATA,
                 CLOSE_COMPLETE -> capture.result().append(frame.content(), false);
            case DATA_ROW -> capture.result().append(frame.content(), true);
            case READY_FOR_QUERY -> cache.land(capture.key(), capture.flight(),
                    store(capture, ReadyForQuery.statusOf(frame.body())));
            default -> capture.result().abandon();
        }
    }

    /** The entry stored, or null. */
    private CachedResult store(Expectation.Capture capture, TransactionStatus after) {
        ResultCapture result = capture.result();
        boolean wanted = capture.admitted() || capture.flight().hasFollowers();
        if (!wanted || result.isAbandoned() || after != TransactionStatus.IDLE || !state.isKnown()
                || state.fingerprint() == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        long[] oids = capture.relationOids().stream().mapToLong(Long::longValue).toArray();
        CachedResult entry = cache.tiers().newEntry(capture.key(), state.fingerprint().database(),
                state.fingerprint().currentRole(), oids, result.toByteArray(), result.rows(), now);
        // Refused when a write invalidated it meanwhile: then no waiting session may have it either.
        return cache.tiers().put(entry, capture.sequence()) ? entry : null;
    }

    private void onReadyForQuery(TransactionStatus next) {
        if (next == TransactionStatus.IDLE) {
            oldSnapshot = false;
            // The transaction's writes are visible to others only now.
            dropCached(uncommitted);
            uncommitted = Invalidation.NONE;
        }
        status = next;
    }

    private void onParameterStatus(Frame frame) {
        ParameterStatus parameter = (ParameterStatus) io.pgmemo.protocol.backend.BackendMessage.decode(frame);
        state.onParameterStatus(parameter.name(), parameter.value());
    }

    /** Something is held, or awaited from the upstream. */
    public boolean isBusy() {
        return lookupInFlight || !waiting.isEmpty() || !expected.isEmpty() || cycle != null || forwardingCycle;
    }

    /** Releases held frames when the session ends. */
    public void close() {
        if (cycle != null) {
            cycle.release();
            cycle = null;
        }
        Frame frame;
        while ((frame = waiting.poll()) != null) {
            frame.release();
        }
        if (awaitingFlight != null) {
            awaitingFlight.release();
            awaitingFlight = null;
        }
        for (Expectation head : expected) {
            if (head instanceof Expectation.Capture capture) {
                cache.land(capture.key(), capture.flight(), null);
            }
        }
        expected.clear();
    }
}

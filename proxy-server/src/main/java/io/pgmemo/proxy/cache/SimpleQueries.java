package io.pgmemo.proxy.cache;

import io.pgmemo.cache.admission.Admission;
import io.pgmemo.cache.admission.ReadTemperature;
import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.effects.StatementEffects;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.proxy.cache.SessionState.KnownRead;
import io.pgmemo.proxy.cache.SessionState.KnownShape;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simple protocol: each Query is a cacheable read served or captured ({@link HitOrLead}), or
 * statements forwarded with what they may change invalidated ({@link WriteJudgement}). A read the
 * session has run before is known by its text, then by its shape, before the catalog is asked.
 */
final class SimpleQueries {
    private static final Logger log = LoggerFactory.getLogger(SimpleQueries.class);

    private final SessionCache session;
    private final QueryCache cache;
    private final SessionState state;
    private final WriteJudgement writes;
    private final HitOrLead hitOrLead;
    private final OwnRequests own;

    SimpleQueries(SessionCache session, QueryCache cache, SessionState state, WriteJudgement writes,
                  HitOrLead hitOrLead, OwnRequests own) {
        this.session = session;
        this.cache = cache;
        this.state = state;
        this.writes = writes;
        this.hitOrLead = hitOrLead;
        this.own = own;
    }

    void onQuery(Frame frame) {
        if (cache.catalogHealth().unavailable(state.startupDatabase()) && PlainSelect.matches(frame.body())) {
            // Nothing of the database is cached meanwhile, and such a read changes nothing: relay it.
            cache.catalogHealth().relayedUncached();
            session.send(frame, new Expectation.Forward(Invalidation.NONE, session.takeParses()));
            return;
        }
        String sql = ((Query) FrontendMessage.decode(frame)).sql();
        boolean servable = session.readsMayBeServed();
        if (state.isKnown() && servable) {
            KnownRead known = state.knownRead(sql);
            if (known != null && known.epoch() == cache.verdictEpoch()) {
                serve(frame, sql, known, true);
                return;
            }
        }
        SqlShape shape = SqlShape.of(sql, state.standardConformingStrings());
        if (state.isKnown() && servable && !shape.timeLiteral()) {
            KnownShape known = state.knownShape(shape.text());
            if (known != null && known.epoch() == cache.verdictEpoch()
                    && known.standardConformingStrings() == state.standardConformingStrings()) {
                serve(frame, sql, new KnownRead(CacheKey.forSimpleQuery(state.keyPrefix(), sql),
                        known.relationOids(), known.epoch(), known.temperature()), false);
                return;
            }
        }
        List<Classification> statements = cache.classifications().of(sql, shape, state.standardConformingStrings());
        Classification only = statements.size() == 1 ? statements.get(0) : null;
        if (only != null && only.isCacheCandidate() && servable) {
            judgeRead(frame, sql, shape, only);
            return;
        }
        forward(frame, shape, statements, StatementEffects.invalidation(statements));
    }

    private void judgeRead(Frame frame, String sql, SqlShape shape, Classification read) {
        if (!state.isKnown() && cache.catalogHealth().unavailable(state.startupDatabase())) {
            // Nothing of the database is cached meanwhile: relay it as it is.
            forward(frame, shape, List.of(read), StatementEffects.invalidation(read));
            return;
        }
        if (!state.isKnown()) {
            session.hold(frame, SessionCache.Wait.SESSION_STATE);
            own.sendProbe();
            return;
        }
        if (state.fingerprint() == null || state.hasTemporaryRelations() || read.timeDependent()
                || shape.timeLiteral()) {
            forward(frame, shape, List.of(read), StatementEffects.invalidation(read));
            return;
        }
        SessionFingerprint f = state.fingerprint();
        // Read before the verdict: answers that expire meanwhile leave it tagged with the old epoch.
        long epoch = cache.verdictEpoch();
        Judgement<ReadVerdict> judgement = cache.judgeRead(f.database(), f.searchPath(), f.currentRole(),
                shape.text(), read);
        if (judgement.isAnswered()) {
            own.verdictKnown();
            onVerdict(frame, sql, shape, read, judgement.answer(), epoch);
        } else if (own.lookUpPossible(judgement.lookUp())) {
            session.hold(frame, SessionCache.Wait.CATALOG);
            own.startLookUp(judgement.lookUp());
        } else {
            forward(frame, shape, List.of(read), StatementEffects.invalidation(read));
        }
    }

    private void onVerdict(Frame frame, String sql, SqlShape shape, Classification read, ReadVerdict verdict,
                           long epoch) {
        if (!verdict.cacheable()) {
            log.debug("not cacheable ({}): {}", verdict.reason(), read.command());
            // Unless refused for time alone, a view, policy or operator may call a function that writes
            // or changes settings.
            Invalidation fromText = mayHaveSideEffects(verdict)
                    ? Invalidation.ALL : StatementEffects.invalidation(read);
            forward(frame, shape, List.of(read), fromText);
            return;
        }
        ReadTemperature temperature = cache.temperatureOf(state.fingerprint().database(), shape.text());
        state.remember(shape.text(), new KnownShape(verdict.relationOidArray(), epoch,
                state.standardConformingStrings(), temperature));
        serve(frame, sql, new KnownRead(CacheKey.forSimpleQuery(state.keyPrefix(), sql), verdict.relationOidArray(),
                epoch, temperature), false);
    }

    /** @param remembered the read came from the state's known reads (remembering it again could clear them) */
    private void serve(Frame frame, String sql, KnownRead read, boolean remembered) {
        HitOrLead.Read asked = new HitOrLead.Read(read.key(), read.relationOids(), 0, false, read.temperature());
        HitOrLead.Outcome outcome;
        if (session.alone()) {
            SessionProbe.Result stateNow = state.probed();
            outcome = hitOrLead.one(asked, landed -> session.onFlightLanded(landed, stateNow));
        } else {
            outcome = hitOrLead.all(List.of(asked));
        }
        if (outcome instanceof HitOrLead.Answer answer) {
            if (!remembered) {
                state.remember(sql, read);
            }
            frame.release();
            session.answer(answer.reply());
        } else if (outcome instanceof HitOrLead.Lead lead) {
            if (lead.admission() == Admission.REPEATED && !remembered) {
                state.remember(sql, read);
            }
            session.send(frame, new Expectation.Capture(lead.reads(), lead.sequence(), session.takeParses()));
        } else if (outcome instanceof HitOrLead.Relay) {
            // A read the catalog judged cacheable: it changes nothing.
            session.send(frame, new Expectation.Forward(Invalidation.NONE, session.takeParses()));
        } else {
            // An identical read of another session is on its way: wait for its answer.
            session.follow(frame, asked);
        }
    }

    /**
     * Sends statements that are not served from the cache, invalidating what they may change.
     *
     * @param fromText what they may change judged from their words; the catalog may narrow it
     */
    private void forward(Frame frame, SqlShape shape, List<Classification> statements, Invalidation fromText) {
        WriteQuestion question = new WriteQuestion(shape, state.standardConformingStrings(), statements, fromText);
        Judgement<Invalidation> judgement = writes.ask(question);
        Invalidation invalidation;
        if (judgement.isAnswered()) {
            own.verdictKnown();
            invalidation = judgement.answer();
        } else if (session.idleForLookUp() && own.lookUpPossible(judgement.lookUp())) {
            session.hold(frame, SessionCache.Wait.CATALOG);
            own.startLookUp(judgement.lookUp());
            return;
        } else {
            // Inside a transaction block or behind other statements: assume the worst, ask later.
            invalidation = writes.assumeWorst(question);
        }
        if (!fromText.isNone() || !invalidation.isNone() || !StatementEffects.keepsSessionState(statements)) {
            state.forget();
        }
        boolean namesStatements = StatementEffects.mayNameStatements(statements);
        if (namesStatements || StatementEffects.mayDropStatements(statements)) {
            session.forgetStatements(namesStatements);
        }
        if (!invalidation.isNone() && log.isDebugEnabled()) {
            log.debug("invalidates {} {}: {}", invalidation.extent(), invalidation.tables(),
                    statements.stream().map(Classification::command).toList());
        }
        boolean mayEndBlock = StatementEffects.mayEndTransaction(statements);
        boolean inBlock = session.runsInBlock(mayEndBlock);
        if (!StatementEffects.unreadable(statements)) {
            writes.sent(invalidation, mayEndBlock, inBlock);
        }
        session.send(frame, new Expectation.Forward(invalidation, session.takeParses(), inBlock, mayEndBlock));
    }

    /**
     * Whether a refused read may reach a view, policy or operator that calls a function that writes or
     * changes settings. Not when only time refused it; nor while the catalog is unavailable, when
     * nothing of the database is cached (see {@link CatalogHealth}).
     */
    static boolean mayHaveSideEffects(ReadVerdict verdict) {
        return switch (verdict.refusal()) {
            case TIME_DEPENDENT, CATALOG_UNAVAILABLE -> false;
            case NONE, OTHER -> true;
        };
    }
}

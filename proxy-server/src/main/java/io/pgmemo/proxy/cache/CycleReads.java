package io.pgmemo.proxy.cache;

import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.proxy.cache.SessionState.KnownStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict on a held extended cycle: each unit a read the catalog judged cacheable, with its
 * key; or the cycle goes upstream; or the catalog must be asked first (then the cycle is judged
 * again). A statement the session has judged before is known by its text.
 */
final class CycleReads {
    sealed interface Verdict {
    }

    /** Every unit is a cacheable read. */
    record Reads(List<HitOrLead.Read> reads) implements Verdict {
    }

    /** Forward the cycle, invalidating {@code hidden} too: what the catalog found it may change beyond its text. */
    record Forward(Invalidation hidden) implements Verdict {
    }

    /** Hold the cycle and run this look-up first. */
    record AskCatalog(CatalogLookUp lookUp) implements Verdict {
    }

    private static final Forward AS_IT_IS = new Forward(Invalidation.NONE);

    private final QueryCache cache;
    private final SessionState state;
    private final PreparedStatements statements;
    private final WriteJudgement writes;
    private final OwnRequests own;

    CycleReads(QueryCache cache, SessionState state, PreparedStatements statements, WriteJudgement writes,
               OwnRequests own) {
        this.cache = cache;
        this.state = state;
        this.statements = statements;
        this.writes = writes;
        this.own = own;
    }

    /**
     * Whether each unit's statement is known and may be a cacheable read: else the cycle goes upstream
     * without the session state being probed for it (a BEGIN sent as a cycle, say).
     */
    boolean mayRead(ExtendedCycle held) {
        for (int i = 0; i < held.units().size(); i++) {
            if (!mayBeRead(statementOf(held, i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A cycle that opens with a Bind of this statement, prepared before it, goes upstream whatever
     * follows: {@link #mayRead} would refuse its first unit.
     */
    boolean cannotRead(String preparedStatement) {
        return !mayBeRead(statements.get(preparedStatement));
    }

    private boolean mayBeRead(Parse parse) {
        return parse != null && (state.knownStatement(parse.query()) != null
                || cache.classifications().mayBeCachedRead(parse.query(), state.standardConformingStrings()));
    }

    /** Judges a cycle that fits the answerable shape, on a session whose state is known. */
    Verdict judge(ExtendedCycle held) {
        List<HitOrLead.Read> reads = new ArrayList<>(held.units().size());
        for (int i = 0; i < held.units().size(); i++) {
            Verdict unit = judge(held, i);
            if (!(unit instanceof Reads read)) {
                return unit;
            }
            reads.addAll(read.reads());
        }
        return new Reads(reads);
    }

    private Verdict judge(ExtendedCycle held, int index) {
        CycleUnit unit = held.units().get(index);
        Parse parse = statementOf(held, index);
        boolean parseAllowed = unit.parse() == null || statements.mayParse(unit.parse().statement());
        if (parse == null || !parseAllowed || state.fingerprint() == null || state.hasTemporaryRelations()
                || unit.hasTimeDependentParameter()) {
            return AS_IT_IS;
        }
        String sql = parse.query();
        KnownStatement known = state.knownStatement(sql);
        // Read before the verdict: answers that expire meanwhile leave it tagged with the old epoch.
        long epoch = cache.verdictEpoch();
        if (known == null || known.epoch() != epoch) {
            Verdict statement = judgeStatement(sql, epoch);
            if (statement != null) {
                return statement;
            }
            known = state.knownStatement(sql);
        }
        Bind bind = unit.bind();
        CacheKey key = CacheKey.forExtendedQuery(state.keyPrefix(), unit.signature(), sql, parse.parameterTypes(),
                bind.parameters(), bind.parameterFormats(), bind.resultFormats());
        return new Reads(List.of(new HitOrLead.Read(key, known.relationOids(), unit.messages(),
                unit.parse() != null, known.temperature())));
    }

    /** The Parse of the statement a unit binds: of the cycle, or prepared before it; null when unknown. */
    private Parse statementOf(ExtendedCycle held, int unit) {
        Parse inCycle = held.parseOf(unit);
        return inCycle != null ? inCycle : statements.get(held.units().get(unit).bind().statement());
    }

    /** Null once the statement is known as a cacheable read (remembered in the session's state). */
    private Verdict judgeStatement(String sql, long epoch) {
        SqlShape shape = SqlShape.of(sql, state.standardConformingStrings());
        List<Classification> classified = cache.classifications().of(sql, shape, state.standardConformingStrings());
        Classification read = classified.size() == 1 ? classified.get(0) : null;
        if (read == null || !read.isCacheCandidate() || read.timeDependent() || shape.timeLiteral()) {
            return AS_IT_IS;
        }
        SessionFingerprint f = state.fingerprint();
        Judgement<ReadVerdict> judgement = cache.judgeRead(f.database(), f.searchPath(), f.currentRole(),
                shape.text(), read);
        if (!judgement.isAnswered()) {
            return own.lookUpPossible(judgement.lookUp()) ? new AskCatalog(judgement.lookUp()) : AS_IT_IS;
        }
        own.verdictKnown();
        ReadVerdict verdict = judgement.answer();
        if (!verdict.cacheable()) {
            return uncacheable(shape, read, verdict);
        }
        state.remember(sql, new KnownStatement(verdict.relationOidArray(), epoch,
                cache.temperatureOf(f.database(), shape.text())));
        return null;
    }

    /**
     * As for a simple Query: a view, policy or operator the read reaches may call a function that
     * writes or changes settings, which the catalog bounds (usually to nothing) once asked; until
     * then, and where it cannot be asked, everything.
     */
    private Verdict uncacheable(SqlShape shape, Classification read, ReadVerdict verdict) {
        if (!SimpleQueries.mayHaveSideEffects(verdict)) {
            return AS_IT_IS;
        }
        Judgement<Invalidation> judged = writes.ask(new WriteQuestion(shape, state.standardConformingStrings(),
                List.of(read), Invalidation.ALL));
        if (judged.isAnswered()) {
            return new Forward(judged.answer());
        }
        return own.lookUpPossible(judged.lookUp()) ? new AskCatalog(judged.lookUp()) : new Forward(Invalidation.ALL);
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.protocol.backend.TransactionStatus;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session's forwarded statements may change, and dropping it from the cache: when they go
 * upstream, when they complete, and again when their transaction ends (only then do others see
 * their writes). Statements known to run inside a transaction block (nothing in flight before them
 * may end it) are dropped only when it may end: nobody else sees their writes before, and the
 * session reads nothing from the cache meanwhile.
 *
 * <p>The words of a statement say what it may write; the catalog narrows that to the tables it
 * writes (or widens it, for a trigger) once it has been asked about the statement's shape. When it
 * cannot be asked (in a transaction block, or behind other requests) the worst case is assumed and
 * the question waits for the session's next idle point, so that the next time is known.
 */
final class WriteJudgement {
    private static final Logger log = LoggerFactory.getLogger(WriteJudgement.class);
    private static final int MAX_QUESTIONS = 16;

    private final QueryCache cache;
    private final SessionState state;
    private final List<WriteQuestion> questions = new ArrayList<>();
    /** What the open transaction block may have changed: dropped again when it ends. */
    private Invalidation uncommitted = Invalidation.NONE;

    WriteJudgement(QueryCache cache, SessionState state) {
        this.cache = cache;
        this.state = state;
    }

    /** The catalog's answer to the question, or the look-up that would give it. */
    Judgement<Invalidation> ask(WriteQuestion question) {
        return cache.judgeWrites(state.database(), question.shape(), question.standardConformingStrings(),
                question.statements(), question.fromText());
    }

    /** The catalog's answer when it is kept; else the worst case, and the question for later. */
    Invalidation answerOrWorst(WriteQuestion question) {
        long epoch = cache.verdictEpoch();
        Invalidation kept = question.answerAt(epoch);
        if (kept != null) {
            return kept;
        }
        Judgement<Invalidation> judgement = ask(question);
        if (!judgement.isAnswered()) {
            return assumeWorst(question);
        }
        question.keep(judgement.answer(), epoch);
        return judgement.answer();
    }

    /** The catalog cannot be asked now: the worst case, and the question at the next idle point. */
    Invalidation assumeWorst(WriteQuestion question) {
        // A pipeline repeats one statement many times: asked once, it leaves room for the others.
        if (questions.size() < MAX_QUESTIONS && questions.stream().noneMatch(question::sameShape)) {
            questions.add(question);
        }
        return question.fromText().and(Invalidation.ALL_DATA);
    }

    /** Invalidates what the statement's views, policies or operators may write; see {@link #invalidate}. */
    void invalidateHidden(WriteQuestion hidden, boolean inBlock) {
        Invalidation invalidation = answerOrWorst(hidden);
        if (!invalidation.isNone()) {
            log.debug("invalidates {} {}: a view, policy or operator read may write", invalidation.extent(),
                    invalidation.tables());
            state.forget();
            invalidate(invalidation, inBlock);
        }
    }

    /**
     * Drops what a statement may have changed when its transaction ends, and now too unless it runs
     * {@code inBlock}: inside a transaction block it cannot end.
     */
    void invalidate(Invalidation invalidation, boolean inBlock) {
        if (!inBlock) {
            drop(invalidation);
        }
        uncommitted = uncommitted.and(invalidation);
    }

    /**
     * A statement that may change {@code invalidation} goes upstream. When it {@code mayEndBlock}, what
     * the block wrote may be seen soon: dropped now. What it changes is dropped now too, unless it runs
     * {@code inBlock} (see {@link #invalidate}).
     */
    void sent(Invalidation invalidation, boolean mayEndBlock, boolean inBlock) {
        if (mayEndBlock) {
            drop(uncommitted);
        }
        invalidate(invalidation, inBlock);
    }

    /**
     * A ReadyForQuery: outside a transaction block, what it wrote is visible to others now; so it may
     * be when the request it ends {@code mayHaveEndedBlock} (COMMIT; BEGIN in one Query).
     */
    void onReadyForQuery(TransactionStatus status, boolean mayHaveEndedBlock) {
        if (status == TransactionStatus.IDLE || mayHaveEndedBlock) {
            drop(uncommitted);
        }
        if (status == TransactionStatus.IDLE) {
            uncommitted = Invalidation.NONE;
        }
    }

    /**
     * The open transaction block changed nothing of the catalog that a look-up would see and then keep
     * for every session.
     */
    boolean catalogUntouched() {
        return uncommitted.extent() != Invalidation.Extent.ALL && !uncommitted.answers();
    }

    /** The oldest question waiting for the catalog, or null. */
    WriteQuestion nextQuestion() {
        return questions.isEmpty() ? null : questions.get(0);
    }

    void answered(WriteQuestion question) {
        questions.remove(question);
    }

    private void drop(Invalidation invalidation) {
        switch (invalidation.extent()) {
            case ALL -> cache.invalidateAll();
            case ALL_DATA -> cache.invalidateAllData();
            case DATABASE -> cache.invalidateDatabase(state.database());
            case TABLES -> cache.invalidateTables(state.database(), invalidation.tableOids());
            case NONE -> { }
        }
        if (invalidation.answers() && invalidation.extent() != Invalidation.Extent.ALL) {
            cache.forgetCatalogAnswers();
        }
    }
}

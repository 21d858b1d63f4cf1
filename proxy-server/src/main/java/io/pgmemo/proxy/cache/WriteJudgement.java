package io.pgmemo.proxy.cache;

import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.effects.HiddenWrites;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.protocol.backend.TransactionStatus;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session's forwarded statements may change, and dropping it from the cache: when they go
 * upstream, when they complete, and again when their transaction ends (only then do others see
 * their writes).
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
        Judgement<Invalidation> judgement = ask(question);
        return judgement.isAnswered() ? judgement.answer() : assumeWorst(question);
    }

    /** The catalog cannot be asked now: the worst case, and the question at the next idle point. */
    Invalidation assumeWorst(WriteQuestion question) {
        // A pipeline repeats one statement many times: asked once, it leaves room for the others.
        if (questions.size() < MAX_QUESTIONS && questions.stream().noneMatch(question::sameShape)) {
            questions.add(question);
        }
        return question.fromText().and(Invalidation.ALL_DATA);
    }

    /** Invalidates what the statement's views, policies or operators may write. */
    void invalidateHidden(HiddenWrites hidden) {
        Invalidation invalidation = answerOrWorst(new WriteQuestion(hidden.shape(),
                hidden.standardConformingStrings(), hidden.statements(), Invalidation.NONE));
        if (!invalidation.isNone()) {
            log.debug("invalidates {} {}: a view, policy or operator read may write", invalidation.extent(),
                    invalidation.tables());
            state.forget();
            invalidate(invalidation);
        }
    }

    /** Drops what a statement may have changed now, and again when its transaction ends. */
    void invalidate(Invalidation invalidation) {
        drop(invalidation);
        uncommitted = uncommitted.and(invalidation);
    }

    /** A ReadyForQuery: outside a transaction block, what it wrote is visible to others now. */
    void onReadyForQuery(TransactionStatus status) {
        if (status == TransactionStatus.IDLE) {
            drop(uncommitted);
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
            case TABLES -> cache.invalidateTables(state.database(), invalidation.tables());
            case NONE -> { }
        }
        if (invalidation.answers() && invalidation.extent() != Invalidation.Extent.ALL) {
            cache.forgetCatalogAnswers();
        }
    }
}

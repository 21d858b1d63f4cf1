package io.pgmemo.proxy.cache;

import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import java.util.List;

/**
 * Statements whose writes the catalog is to judge: what they may change judged from their words
 * ({@code fromText}), which the catalog's answer for their shape narrows or widens. A prepared
 * statement keeps its question, and with it the last answer while the verdicts it came from hold,
 * so that each Execute costs no look-up.
 */
final class WriteQuestion {
    private final SqlShape shape;
    private final boolean standardConformingStrings;
    private final List<Classification> statements;
    private final Invalidation fromText;
    private Invalidation answer;
    private long answerEpoch;

    WriteQuestion(SqlShape shape, boolean standardConformingStrings, List<Classification> statements,
                  Invalidation fromText) {
        this.shape = shape;
        this.standardConformingStrings = standardConformingStrings;
        this.statements = statements;
        this.fromText = fromText;
    }

    SqlShape shape() {
        return shape;
    }

    boolean standardConformingStrings() {
        return standardConformingStrings;
    }

    List<Classification> statements() {
        return statements;
    }

    Invalidation fromText() {
        return fromText;
    }

    /** The answer kept for verdict epoch {@code epoch} (see {@link QueryCache#verdictEpoch}), or null. */
    Invalidation answerAt(long epoch) {
        return answer != null && answerEpoch == epoch ? answer : null;
    }

    /** Keeps the catalog's answer, asked for at verdict epoch {@code epoch}. */
    void keep(Invalidation answer, long epoch) {
        this.answer = answer;
        this.answerEpoch = epoch;
    }

    /** The catalog's answer to one is the answer to the other. */
    boolean sameShape(WriteQuestion other) {
        return standardConformingStrings == other.standardConformingStrings && fromText.equals(other.fromText)
                && shape.text().equals(other.shape.text());
    }

    @Override
    public String toString() {
        return "WriteQuestion[" + shape.text() + "]";
    }
}

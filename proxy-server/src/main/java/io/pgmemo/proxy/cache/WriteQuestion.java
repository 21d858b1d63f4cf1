package io.pgmemo.proxy.cache;

import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import java.util.List;

/**
 * Statements whose writes the catalog is to judge: what they may change judged from their words
 * ({@code fromText}), which the catalog's answer for their shape narrows or widens.
 */
record WriteQuestion(SqlShape shape, boolean standardConformingStrings, List<Classification> statements,
                     Invalidation fromText) {

    /** The catalog's answer to one is the answer to the other. */
    boolean sameShape(WriteQuestion other) {
        return standardConformingStrings == other.standardConformingStrings && fromText.equals(other.fromText)
                && shape.text().equals(other.shape.text());
    }
}

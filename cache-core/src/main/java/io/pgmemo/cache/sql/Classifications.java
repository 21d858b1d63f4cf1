package io.pgmemo.cache.sql;

import io.pgmemo.cache.BoundedMemo;
import java.util.List;

/**
 * Classifications kept per statement shape (literals replaced) and standard_conforming_strings,
 * which changes how a string lexes: a query string seen before with other literals is not lexed
 * again.
 */
public final class Classifications {
    private static final int MAX_SHAPES = 100_000;

    private final BoundedMemo<String, List<Classification>> byShape = new BoundedMemo<>(MAX_SHAPES);
    private final BoundedMemo<String, Boolean> readByText = new BoundedMemo<>(MAX_SHAPES);

    /** The statements of {@code sql}, whose shape is {@code shape}. */
    public List<Classification> of(String sql, SqlShape shape, boolean standardConformingStrings) {
        String key = (standardConformingStrings ? "1" : "0") + shape.text();
        List<Classification> known = byShape.get(key);
        if (known == null) {
            known = StatementClassifier.classifyAll(sql, standardConformingStrings);
            byShape.put(key, known);
        }
        return known;
    }

    /**
     * Whether {@code sql} is one statement that may be a cacheable read (before the catalog's
     * verdict), kept per text: a prepared statement's text is asked about on every run.
     */
    public boolean mayBeCachedRead(String sql, boolean standardConformingStrings) {
        String key = (standardConformingStrings ? "1" : "0") + sql;
        Boolean known = readByText.get(key);
        if (known == null) {
            SqlShape shape = SqlShape.of(sql, standardConformingStrings);
            List<Classification> statements = of(sql, shape, standardConformingStrings);
            known = statements.size() == 1 && statements.get(0).isCacheCandidate() && !shape.timeLiteral();
            readByText.put(key, known);
        }
        return known;
    }
}

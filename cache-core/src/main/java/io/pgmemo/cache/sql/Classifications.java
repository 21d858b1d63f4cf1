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
}

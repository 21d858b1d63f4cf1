package io.pgmemo.cache.catalog;

import java.util.Objects;

/**
 * The catalog's answer from what it keeps, or the one look-up it needs before it can answer: run
 * it, {@link CatalogLookUp#complete complete} it, and ask again. Exactly one of the two is set.
 */
public record Judgement<T>(T answer, CatalogLookUp lookUp) {

    public Judgement {
        if ((answer == null) == (lookUp == null)) {
            throw new IllegalArgumentException("exactly one of answer and lookUp");
        }
    }

    public static <T> Judgement<T> of(T answer) {
        return new Judgement<>(Objects.requireNonNull(answer, "answer"), null);
    }

    public static <T> Judgement<T> needs(CatalogLookUp lookUp) {
        return new Judgement<>(null, lookUp);
    }

    public boolean isAnswered() {
        return answer != null;
    }
}

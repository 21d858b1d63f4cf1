package io.pgmemo.cache.catalog;

/** Stops a look-up with its answer: not cacheable, or writes that cannot be bounded. */
final class Refusal extends Exception {

    Refusal(String reason) {
        super(reason, null, false, false);
    }
}

package io.pgmemo.cache.catalog;

/** Stops a look-up with its answer: not cacheable, or writes that cannot be bounded. */
final class Refusal extends Exception {

    private final boolean codeMayRun;

    Refusal(String reason) {
        this(reason, false);
    }

    private Refusal(String reason, boolean codeMayRun) {
        super(reason, null, false, false);
        this.codeMayRun = codeMayRun;
    }

    /** Code the proxy cannot see (a function, trigger or rule) may run and change anything. */
    static Refusal codeMayRun(String reason) {
        return new Refusal(reason, true);
    }

    boolean codeMayRun() {
        return codeMayRun;
    }
}

package io.pgmemo.cache.catalog;

/** Stops a look-up with its answer: not cacheable, or writes that cannot be bounded. */
final class Refusal extends Exception {

    private final boolean codeMayRun;
    private final boolean timeDependent;

    Refusal(String reason) {
        this(reason, false, false);
    }

    private Refusal(String reason, boolean codeMayRun, boolean timeDependent) {
        super(reason, null, false, false);
        this.codeMayRun = codeMayRun;
        this.timeDependent = timeDependent;
    }

    /** Code the proxy cannot see (a function, trigger or rule) may run and change anything. */
    static Refusal codeMayRun(String reason) {
        return new Refusal(reason, true, false);
    }

    /** A built-in that reads the clock: not cacheable, and it calls nothing that writes. */
    static Refusal timeDependent(String reason) {
        return new Refusal(reason, false, true);
    }

    boolean timeDependent() {
        return timeDependent;
    }

    boolean codeMayRun() {
        return codeMayRun;
    }
}

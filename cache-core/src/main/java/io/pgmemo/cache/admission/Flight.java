package io.pgmemo.cache.admission;

import io.pgmemo.cache.tier.CachedResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A read on its way upstream for one session (the leader), which sessions sending the identical
 * read (same key) meanwhile wait for instead of sending it again. Thread-safe: sessions on other
 * event loops join; each follower is told on the thread that lands the flight and hops to its own.
 */
public final class Flight {
    private List<Consumer<CachedResult>> followers = new ArrayList<>();

    /** Waits for the landing; false when it has landed already (then do not wait). */
    public synchronized boolean join(Consumer<CachedResult> onLanded) {
        if (followers == null) {
            return false;
        }
        followers.add(onLanded);
        return true;
    }

    public synchronized boolean hasFollowers() {
        return followers != null && !followers.isEmpty();
    }

    /**
     * Tells every follower the result, or null when there is none to share (an error, a result too
     * large to store, or a write that invalidated it meanwhile): each must then send its own query.
     */
    public void land(CachedResult result) {
        List<Consumer<CachedResult>> waiting;
        synchronized (this) {
            waiting = followers;
            followers = null;
        }
        if (waiting != null) {
            waiting.forEach(follower -> follower.accept(result));
        }
    }
}

package io.pgmemo.proxy.session;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live sessions of one server, and which session owns which cancel key. Touched from every
 * event loop, hence concurrent collections.
 */
public final class SessionRegistry {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Map<CancelKey, Session> byCancelKey = new ConcurrentHashMap<>();

    void add(Session session) {
        sessions.add(session);
    }

    void remove(Session session) {
        sessions.remove(session);
        CancelKey key = session.cancelKey();
        if (key != null) {
            byCancelKey.remove(key, session);
        }
    }

    void registerCancelKey(CancelKey key, Session session) {
        byCancelKey.put(key, session);
    }

    boolean ownsCancelKey(CancelKey key) {
        return byCancelKey.containsKey(key);
    }

    public int size() {
        return sessions.size();
    }

    public List<Session> snapshot() {
        return List.copyOf(sessions);
    }
}

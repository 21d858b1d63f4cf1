package io.pgmemo.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
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
    /**
     * Every open client and upstream channel, also those of ended sessions whose upstream still waits
     * to write its Terminate (behind queries the backend has not read yet). Closed channels leave it.
     */
    private final ChannelGroup channels = new DefaultChannelGroup("pgmemo", GlobalEventExecutor.INSTANCE);

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

    void track(Channel channel) {
        channels.add(channel);
    }

    /**
     * Closes every channel still open, releasing what waits in their outbound buffers, and waits up
     * to {@code millis}. For the end of shutdown, while the event loops still run.
     */
    public void closeChannels(long millis) {
        channels.close().awaitUninterruptibly(millis);
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

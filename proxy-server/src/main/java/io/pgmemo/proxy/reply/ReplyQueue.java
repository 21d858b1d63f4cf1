package io.pgmemo.proxy.reply;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.backend.ReadyForQuery;
import io.pgmemo.protocol.backend.TransactionStatus;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What a session expects from its upstream connection, in the order its requests went there, with
 * the cache's answers in their turn between them. Always on, cache or not: every reply either
 * belongs to the entry at the head, or the session ends (08P01).
 *
 * <pre>
 *   client sends:   Query     Parse Bind Execute Sync    Query (a hit)    Query
 *   queue:          [relay]   [relay ................]   [answer]         [relay]
 *   upstream sends: T D C Z   1 2 D C Z                                   T D C Z
 * </pre>
 *
 * Each upstream entry ends with its ReadyForQuery; an answer is written to the client as soon as
 * every entry before it has ended, so the client sees its replies in the order it asked. Extended
 * messages sent since the last Sync form the open cycle: their replies (a Flush asks for them early)
 * come once the entries before it have ended, and a ReadyForQuery never ends it.
 */
public final class ReplyQueue {
    /** Replies the upstream may send with no request outstanding. */
    private static boolean unsolicited(BackendType type) {
        return switch (type) {
            case NOTICE_RESPONSE, PARAMETER_STATUS, NOTIFICATION_RESPONSE, ERROR_RESPONSE -> true;
            default -> false;
        };
    }

    /** Sees every reply before the session relays or swallows it. */
    public interface Observer {
        /** @param head the entry the reply belongs to; null for the open cycle or an unsolicited reply */
        void onReply(Expected head, Frame frame, BackendType type);

        /** The head entry ended. */
        void onReadyForQuery(Expected head, TransactionStatus status);
    }

    private static final Observer NONE = new Observer() {
        public void onReply(Expected head, Frame frame, BackendType type) {
        }

        public void onReadyForQuery(Expected head, TransactionStatus status) {
        }
    };

    /** An upstream entry ({@code answer} null) or the cache's answer. */
    private record Entry(Expected expected, ByteBuf answer) {
    }

    private final Channel client;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private Observer observer = NONE;
    private int upstreamEntries;
    private boolean openCycle;
    private boolean readyForQuerySeen;
    private TransactionStatus transactionStatus = TransactionStatus.IDLE;

    /** Expects the startup's replies, up to its first ReadyForQuery. */
    public ReplyQueue(Channel client) {
        this.client = client;
        add(new Entry(Expected.RELAY, null));
    }

    public void observe(Observer observer) {
        this.observer = observer;
    }

    // ---- requests ----------------------------------------------------------------------------

    /**
     * A client message went upstream. A Query, Sync or FunctionCall ends the open cycle, if any, in an
     * entry {@code expected} (null: a plain relay); an extended message opens one.
     */
    public void sent(FrontendType type, Expected expected) {
        switch (type) {
            case QUERY, SYNC, FUNCTION_CALL -> {
                openCycle = false;
                add(new Entry(expected == null ? Expected.RELAY : expected, null));
            }
            case PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, FLUSH -> openCycle = true;
            default -> { }
        }
    }

    /** The proxy sent a request of its own, ended by a ReadyForQuery; {@code expected} says what its replies are. */
    public void sentOwn(Expected expected) {
        add(new Entry(expected, null));
    }

    /** The cache answers a request: written once every entry before it has ended. */
    public void answer(ByteBuf reply) {
        if (entries.isEmpty()) {
            client.write(reply, client.voidPromise());
        } else {
            entries.add(new Entry(null, reply));
        }
    }

    private void add(Entry entry) {
        entries.add(entry);
        upstreamEntries++;
    }

    // ---- replies -----------------------------------------------------------------------------

    /**
     * Takes one upstream reply, and sends the client {@code toClient} (the reply, or what stands for
     * it) unless the entry it belongs to is the proxy's own; then any answers now due.
     *
     * @throws RepliesOutOfStep the reply belongs to no request ({@code toClient} is released)
     */
    public void onReply(Frame frame, ByteBuf toClient) throws RepliesOutOfStep {
        BackendType type = frame.backendType();
        if (upstreamEntries == 0) {
            // Answers wait only behind an upstream entry: nothing is queued.
            if (type == BackendType.READY_FOR_QUERY || !openCycle && !unsolicited(type)) {
                toClient.release();
                throw new RepliesOutOfStep(type);
            }
            observer.onReply(null, frame, type);
            client.write(toClient, client.voidPromise());
            return;
        }
        Expected head = entries.peek().expected();
        observer.onReply(head, frame, type);
        if (type != BackendType.READY_FOR_QUERY) {
            writeOrRelease(head, toClient);
            return;
        }
        transactionStatus = ReadyForQuery.statusOf(frame.body());
        entries.poll();
        upstreamEntries--;
        readyForQuerySeen = true;
        writeOrRelease(head, toClient);
        observer.onReadyForQuery(head, transactionStatus);
        writeAnswersDue();
    }

    private void writeOrRelease(Expected head, ByteBuf toClient) {
        if (head.swallowed()) {
            toClient.release();
        } else {
            client.write(toClient, client.voidPromise());
        }
    }

    private void writeAnswersDue() {
        Entry next;
        while ((next = entries.peek()) != null && next.answer() != null) {
            entries.poll();
            client.write(next.answer(), client.voidPromise());
        }
    }

    // ---- state -------------------------------------------------------------------------------

    /** Nothing expected from upstream, no cycle open, no answer waiting. */
    public boolean isEmpty() {
        return entries.isEmpty() && !openCycle;
    }

    /** Ready for queries, outside a transaction block, with nothing expected from upstream or waiting. */
    public boolean idle() {
        return readyForQuerySeen && isEmpty() && transactionStatus == TransactionStatus.IDLE;
    }

    /** Requests sent upstream whose ReadyForQuery has not come back. */
    public int awaitingUpstream() {
        return upstreamEntries;
    }

    /** Extended messages went upstream since the last Sync. */
    public boolean cycleOpen() {
        return openCycle;
    }

    /** The startup ended: the session has been ready for queries. */
    public boolean readyForQuerySeen() {
        return readyForQuerySeen;
    }

    /** The status of the last ReadyForQuery, the proxy's own included (idle before the first). */
    public TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    /** Every entry still expected, oldest first (answers not included). */
    public void forEachExpected(Consumer<Expected> action) {
        for (Entry entry : entries) {
            if (entry.answer() == null) {
                action.accept(entry.expected());
            }
        }
    }

    /** Releases answers not yet written: the session ended. */
    public void clear() {
        for (Entry entry : entries) {
            if (entry.answer() != null) {
                entry.answer().release();
            }
        }
        entries.clear();
        upstreamEntries = 0;
        openCycle = false;
    }
}

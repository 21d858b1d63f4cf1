package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * A BEGIN in an idle session is answered at once and goes upstream in front of the session's next
 * request: one round trip to the upstream fewer per transaction block, as pgjdbc saves for its own
 * BEGIN.
 *
 * <pre>
 *   client sends:     BEGIN            UPDATE ...                    COMMIT
 *   client gets:      C Z (at once)    relayed replies of UPDATE     ...
 *   upstream gets:                     Parse Bind Execute (BEGIN, no Sync) + UPDATE
 *   upstream sends:                    1 2 C (swallowed) + UPDATE's replies
 * </pre>
 *
 * Only a BEGIN without transaction modes ({@link PlainBegin}) in a session that is idle with nothing
 * in flight is deferred: it cannot fail there. It still goes without a Sync, so that if it failed
 * after all (a cancel, the server's resources) PostgreSQL would skip what follows up to the next
 * Sync: nothing runs outside the block the client asked for, and the session ends with the error.
 * Until the BEGIN's replies are back, nothing is sent upstream after the first request behind it.
 *
 * <pre>
 *   NONE ──Query BEGIN──▶ DEFERRED ──next request upstream──▶ CONFIRMING ──its replies back──▶ NONE
 *     └──Parse/Bind of a BEGIN──▶ COLLECTING ──Execute, Sync──▶ DEFERRED
 *                                     └──anything else: the held messages go upstream──▶ NONE
 * </pre>
 */
final class DeferredBegin {
    enum State {
        /** Nothing deferred. */
        NONE,
        /** Holding the messages of an extended cycle that is a BEGIN so far, until its Sync. */
        COLLECTING,
        /** A BEGIN is taken; it waits for the next request that goes upstream. */
        DEFERRED,
        /** The BEGIN went upstream in front of a request; its replies are not all back. */
        CONFIRMING
    }

    /** What to do with a reply from upstream. */
    enum Reply { RELAY, SWALLOWED, FAILED }

    private final Channel upstream;
    private final BeginCycle begin;
    /** With the cache off, the named statements learnt here; with it on, null (the cache knows them). */
    private final BeginStatements relayStatements;
    private State state = State.NONE;
    /** The client gets the BEGIN's answer once the message that completed it is handled. */
    private boolean answerDue;
    /** CONFIRMING: replies swallowed so far; a request behind the BEGIN has ended; what waits behind it. */
    private int swallowed;
    private boolean requestEnded;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();

    /**
     * @param cacheStatements the Parse of a named statement the upstream has, as the cache follows
     *                        them; null with the cache off, when named BEGINs are learnt here
     */
    DeferredBegin(Channel upstream, Function<String, Parse> cacheStatements) {
        this.upstream = upstream;
        this.relayStatements = cacheStatements == null ? new BeginStatements() : null;
        this.begin = new BeginCycle(cacheStatements == null ? relayStatements::tagOf
                : name -> PlainBegin.tagOf(cacheStatements.apply(name)));
    }

    State state() {
        return state;
    }

    /** A BEGIN was taken and the client does not have its answer yet. */
    boolean answerDue() {
        return answerDue;
    }

    // ---- requests ----------------------------------------------------------------------------

    /**
     * A client message goes upstream (the reply queue already expects it). Returns true if it is
     * taken here instead; otherwise the caller writes it, after what this wrote in front of it.
     *
     * @param idle the session was idle, with nothing in flight, before this message
     */
    boolean takes(Frame frame, boolean idle) {
        FrontendType type = frame.frontendType();
        if (relayStatements != null) {
            relayStatements.sent(frame, idle);
        }
        switch (state) {
            case NONE:
                return idle && starts(frame, type);
            case COLLECTING:
                if (collects(frame, type)) {
                    return true;
                }
                writeCollected();
                return false;
            case DEFERRED:
                if (type == FrontendType.TERMINATE) {
                    releaseAll();
                    return false;
                }
                return waitsBehindBegin(frame.content(), endsRequest(type));
            case CONFIRMING:
                return waitsBehindBegin(frame.content(), endsRequest(type));
            default:
                throw new IllegalStateException(state.name());
        }
    }

    /** A request of the proxy's own goes upstream: it is written, or waits behind the BEGIN as a client's would. */
    void writeOwn(ByteBuf requests) {
        if (state == State.COLLECTING) {
            writeCollected();
        }
        if (!waitsBehindBegin(requests, true)) {
            upstream.writeAndFlush(requests, upstream.voidPromise());
        }
    }

    /**
     * Something goes upstream while a BEGIN is deferred or confirming: the BEGIN is written in front
     * of the first request, and what comes after that request waits (true) until the BEGIN's replies
     * are back.
     */
    private boolean waitsBehindBegin(ByteBuf message, boolean endsRequest) {
        if (state == State.DEFERRED) {
            sendBegin();
        } else if (state == State.CONFIRMING && requestEnded) {
            waiting.add(message);
            return true;
        }
        if (state == State.CONFIRMING) {
            requestEnded |= endsRequest;
        }
        return false;
    }

    private static boolean endsRequest(FrontendType type) {
        return type == FrontendType.QUERY || type == FrontendType.SYNC || type == FrontendType.FUNCTION_CALL;
    }

    private boolean starts(Frame frame, FrontendType type) {
        if (!BeginCycle.mayStart(frame.body(), type)) {
            return false;
        }
        if (type == FrontendType.QUERY) {
            if (!begin.takeQuery(frame, upstream.alloc())) {
                begin.clear();
                return false;
            }
            taken();
            return true;
        }
        if (begin.take(frame)) {
            state = State.COLLECTING;
            return true;
        }
        begin.clear();
        return false;
    }

    private boolean collects(Frame frame, FrontendType type) {
        if (type != FrontendType.SYNC) {
            return begin.take(frame);
        }
        if (!begin.executed()) {
            return false;
        }
        frame.release();
        taken();
        return true;
    }

    private void taken() {
        state = State.DEFERRED;
        answerDue = true;
    }

    /** The held messages were no BEGIN after all: they go upstream as they came. */
    private void writeCollected() {
        begin.writeTo(upstream);
        clear();
    }

    private void sendBegin() {
        begin.writeTo(upstream);
        swallowed = 0;
        state = State.CONFIRMING;
    }

    // ---- answers and replies -----------------------------------------------------------------

    /** If a BEGIN was just taken, answers it to the client, in its turn in the reply queue. */
    void answerIfDue(ReplyQueue replies) throws RepliesOutOfStep {
        if (!answerDue) {
            return;
        }
        answerDue = false;
        for (ByteBuf message : begin.answer(upstream.alloc())) {
            Frame frame = new Frame(message.retain());
            try {
                replies.onReply(frame, message);
            } finally {
                frame.release();
            }
        }
    }

    /**
     * A reply from upstream: one the deferred BEGIN gets is swallowed (the client had its answer);
     * an ErrorResponse in their place means the BEGIN failed. When the last is back, what waited
     * behind the BEGIN goes upstream.
     */
    Reply onReply(BackendType type) throws RepliesOutOfStep {
        if (state != State.CONFIRMING) {
            if (relayStatements != null) {
                relayStatements.onReply(type);
            }
            return Reply.RELAY;
        }
        if (type.code() == begin.replyType(swallowed)) {
            if (++swallowed == begin.replyCount()) {
                confirmed();
            }
            return Reply.SWALLOWED;
        }
        return switch (type) {
            case ERROR_RESPONSE -> Reply.FAILED;
            case NOTICE_RESPONSE, PARAMETER_STATUS, NOTIFICATION_RESPONSE -> Reply.RELAY;
            default -> throw new RepliesOutOfStep(type);
        };
    }

    private void confirmed() {
        boolean any = !waiting.isEmpty();
        ByteBuf next;
        while ((next = waiting.poll()) != null) {
            upstream.write(next, upstream.voidPromise());
        }
        clear();
        if (any) {
            upstream.flush();
        }
    }

    /** The session ended: releases whatever is held. */
    void releaseAll() {
        ByteBuf next;
        while ((next = waiting.poll()) != null) {
            next.release();
        }
        clear();
    }

    private void clear() {
        begin.clear();
        answerDue = false;
        swallowed = 0;
        requestEnded = false;
        state = State.NONE;
    }
}

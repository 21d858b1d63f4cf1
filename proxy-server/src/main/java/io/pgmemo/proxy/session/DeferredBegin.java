package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.backend.CommandComplete;
import io.pgmemo.protocol.backend.ReadyForQuery;
import io.pgmemo.protocol.backend.TransactionStatus;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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

    private static final byte PARSE_COMPLETE = '1';
    private static final byte BIND_COMPLETE = '2';
    private static final byte CLOSE_COMPLETE = '3';
    private static final byte NO_DATA = 'n';
    private static final byte COMMAND_COMPLETE = 'C';

    private final Channel upstream;
    /** The command tag of a named prepared statement the upstream has as a plain BEGIN, else null. */
    private final Function<String, String> preparedBeginTag;
    private State state = State.NONE;
    /** The messages of the BEGIN, as they go upstream (never a Sync). */
    private final List<Frame> begin = new ArrayList<>(4);
    /** The replies those messages get, in order. */
    private final byte[] replyTypes = new byte[4];
    private int replyCount;
    private String tag;
    /** The client gets the BEGIN's answer once the message that completed it is handled. */
    private boolean answerDue;
    /** The client sent the BEGIN as a Query: it is answered with CommandComplete alone. */
    private boolean fromQuery;
    /** COLLECTING: the cycle parsed the unnamed statement as a plain BEGIN. */
    private boolean parsedBegin;
    /** CONFIRMING: replies swallowed so far; a request behind the BEGIN has ended; what waits behind it. */
    private int swallowed;
    private boolean requestEnded;
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();

    DeferredBegin(Channel upstream, Function<String, String> preparedBeginTag) {
        this.upstream = upstream;
        this.preparedBeginTag = preparedBeginTag;
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
                sendBegin();
                requestEnded = endsRequest(type);
                return false;
            case CONFIRMING:
                if (requestEnded) {
                    waiting.add(frame.content());
                    return true;
                }
                requestEnded = endsRequest(type);
                return false;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    /** A request of the proxy's own goes upstream: it is written, or waits behind the BEGIN as a client's would. */
    void writeOwn(ByteBuf requests) {
        switch (state) {
            case COLLECTING -> writeCollected();
            case DEFERRED -> {
                sendBegin();
                requestEnded = true;
            }
            case CONFIRMING -> {
                if (requestEnded) {
                    waiting.add(requests);
                    return;
                }
                requestEnded = true;
            }
            default -> { }
        }
        upstream.writeAndFlush(requests, upstream.voidPromise());
    }

    private static boolean endsRequest(FrontendType type) {
        return type == FrontendType.QUERY || type == FrontendType.SYNC || type == FrontendType.FUNCTION_CALL;
    }

    private boolean starts(Frame frame, FrontendType type) {
        if (!mayStart(frame.body(), type)) {
            return false;
        }
        if (type == FrontendType.QUERY) {
            return startsWithQuery(frame);
        }
        if (collects(frame, type)) {
            state = State.COLLECTING;
            return true;
        }
        clear();
        return false;
    }

    /**
     * A look at the bytes, so that the messages of other statements are not decoded: a short Query or
     * an unnamed Parse whose text starts as BEGIN or START does, or a Bind to the unnamed portal with
     * no parameters.
     */
    private static boolean mayStart(ByteBuf body, FrontendType type) {
        int at = body.readerIndex();
        int end = body.writerIndex();
        switch (type) {
            case QUERY:
                return body.readableBytes() <= PlainBegin.MAX_LENGTH + 1 && startsAsBegin(body, at, end);
            case PARSE:
                return end - at > 1 && body.getByte(at) == 0 && startsAsBegin(body, at + 1, end);
            case BIND:
                if (end - at < 6 || body.getByte(at) != 0) {
                    return false;
                }
                int nameEnd = body.indexOf(at + 1, end, (byte) 0);
                return nameEnd > 0 && nameEnd + 4 < end && body.getInt(nameEnd + 1) == 0;
            default:
                return false;
        }
    }

    private static boolean startsAsBegin(ByteBuf body, int at, int end) {
        while (at < end && Character.isWhitespace(body.getByte(at))) {
            at++;
        }
        if (end - at < 5) {
            return false;
        }
        byte first = (byte) (body.getByte(at) | 0x20);
        byte second = (byte) (body.getByte(at + 1) | 0x20);
        return first == 'b' && second == 'e' || first == 's' && second == 't';
    }

    private boolean startsWithQuery(Frame frame) {
        if (!(decoded(frame) instanceof Query query) || (tag = PlainBegin.tagOf(query.sql())) == null) {
            return false;
        }
        ByteBufAllocator alloc = upstream.alloc();
        add(encoded(alloc, new Parse("", query.sql(), new int[0])), PARSE_COMPLETE);
        add(encoded(alloc, new Bind("", "", new short[0], List.of(), new short[0])), BIND_COMPLETE);
        add(encoded(alloc, new Execute("", 0)), COMMAND_COMPLETE);
        add(encoded(alloc, new Close(TargetKind.STATEMENT, "")), CLOSE_COMPLETE);
        fromQuery = true;
        frame.release();
        taken();
        return true;
    }

    /** Takes the next message of a cycle that is a plain BEGIN so far; false if the cycle is not one. */
    private boolean collects(Frame frame, FrontendType type) {
        boolean executed = replyCount > 0 && replyTypes[replyCount - 1] == COMMAND_COMPLETE;
        if (type == FrontendType.SYNC) {
            if (!executed) {
                return false;
            }
            frame.release();
            taken();
            return true;
        }
        if (executed) {
            return false;
        }
        FrontendMessage message = decoded(frame);
        boolean bound = parsedBegin ? replyCount > 1 : replyCount > 0;
        byte reply;
        if (message instanceof Parse parse && replyCount == 0 && parse.statement().isEmpty()) {
            tag = PlainBegin.tagOf(parse.query());
            parsedBegin = tag != null;
            reply = PARSE_COMPLETE;
            if (!parsedBegin) {
                return false;
            }
        } else if (message instanceof Bind bind && !bound && bindsBegin(bind)) {
            reply = BIND_COMPLETE;
        } else if (message instanceof Describe describe && bound && describe.kind() == TargetKind.PORTAL
                && describe.name().isEmpty() && replyTypes[replyCount - 1] == BIND_COMPLETE) {
            reply = NO_DATA;
        } else if (message instanceof Execute execute && bound && execute.portal().isEmpty()) {
            reply = COMMAND_COMPLETE;
        } else {
            return false;
        }
        add(frame, reply);
        return true;
    }

    private void taken() {
        state = State.DEFERRED;
        answerDue = true;
    }

    private boolean bindsBegin(Bind bind) {
        if (!bind.portal().isEmpty() || !bind.parameters().isEmpty() || bind.parameterFormats().length != 0) {
            return false;
        }
        for (short format : bind.resultFormats()) {
            if (format != 0 && format != 1) {
                return false;
            }
        }
        if (bind.statement().isEmpty()) {
            return parsedBegin;
        }
        if (replyCount > 0) {
            return false;
        }
        tag = preparedBeginTag.apply(bind.statement());
        return tag != null;
    }

    private void add(Frame frame, byte reply) {
        begin.add(frame);
        replyTypes[replyCount++] = reply;
    }

    /** The held messages were no BEGIN after all: they go upstream as they came. */
    private void writeCollected() {
        writeBegin();
        clear();
    }

    private void sendBegin() {
        writeBegin();
        swallowed = 0;
        state = State.CONFIRMING;
    }

    private void writeBegin() {
        for (Frame frame : begin) {
            upstream.write(frame.content(), upstream.voidPromise());
        }
        begin.clear();
    }

    // ---- answers and replies -----------------------------------------------------------------

    /** If a BEGIN was just taken, answers it to the client, in its turn in the reply queue. */
    void answerIfDue(ReplyQueue replies) throws RepliesOutOfStep {
        if (!answerDue) {
            return;
        }
        answerDue = false;
        ByteBufAllocator alloc = upstream.alloc();
        if (fromQuery) {
            answer(replies, commandComplete(alloc));
        } else {
            for (int i = 0; i < replyCount; i++) {
                answer(replies, replyTypes[i] == COMMAND_COMPLETE ? commandComplete(alloc) : empty(alloc, replyTypes[i]));
            }
        }
        ByteBuf ready = alloc.buffer(6);
        new ReadyForQuery(TransactionStatus.IN_TRANSACTION).encode(ready);
        answer(replies, ready);
    }

    private static void answer(ReplyQueue replies, ByteBuf message) throws RepliesOutOfStep {
        Frame frame = new Frame(message.retain());
        try {
            replies.onReply(frame, message);
        } finally {
            frame.release();
        }
    }

    private ByteBuf commandComplete(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        new CommandComplete(tag).encode(out);
        return out;
    }

    private static ByteBuf empty(ByteBufAllocator alloc, byte type) {
        return alloc.buffer(5).writeByte(type).writeInt(4);
    }

    /**
     * A reply from upstream: one the deferred BEGIN gets is swallowed (the client had its answer);
     * an ErrorResponse in their place means the BEGIN failed. When the last is back, what waited
     * behind the BEGIN goes upstream.
     */
    Reply onReply(BackendType type) throws RepliesOutOfStep {
        if (state != State.CONFIRMING) {
            return Reply.RELAY;
        }
        if (type.code() == replyTypes[swallowed]) {
            if (++swallowed == replyCount) {
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

    // ---- helpers -----------------------------------------------------------------------------

    private static FrontendMessage decoded(Frame frame) {
        try {
            return FrontendMessage.decode(frame);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static Frame encoded(ByteBufAllocator alloc, FrontendMessage message) {
        ByteBuf out = alloc.buffer();
        message.encode(out);
        return new Frame(out);
    }

    /** The session ended: releases whatever is held. */
    void releaseAll() {
        for (Frame frame : begin) {
            frame.release();
        }
        begin.clear();
        ByteBuf next;
        while ((next = waiting.poll()) != null) {
            next.release();
        }
        clear();
    }

    private void clear() {
        replyCount = 0;
        tag = null;
        answerDue = false;
        fromQuery = false;
        parsedBegin = false;
        swallowed = 0;
        requestEnded = false;
        state = State.NONE;
    }
}

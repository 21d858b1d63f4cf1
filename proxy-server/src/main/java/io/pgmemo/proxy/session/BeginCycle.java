package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The messages of one plain BEGIN as they go upstream (never a Sync), and the replies PostgreSQL
 * gives them: a client's unnamed {@code Parse Bind [Describe] Execute}, a {@code Bind [Describe]
 * Execute} of a named statement the upstream has as a plain BEGIN, or, for a Query BEGIN, {@code
 * Parse Bind Execute Close} of the unnamed statement (a Query drops the unnamed statement anyway).
 */
final class BeginCycle {
    static final byte PARSE_COMPLETE = '1';
    static final byte BIND_COMPLETE = '2';
    static final byte CLOSE_COMPLETE = '3';
    static final byte NO_DATA = 'n';
    static final byte COMMAND_COMPLETE = 'C';

    /** The command tag of a named prepared statement the upstream has as a plain BEGIN, else null. */
    private final Function<String, String> preparedBeginTag;
    private final List<Frame> messages = new ArrayList<>(4);
    private final byte[] replyTypes = new byte[4];
    private int replyCount;
    private String tag;
    /** The client sent a Query: it is answered with CommandComplete alone. */
    private boolean fromQuery;

    BeginCycle(Function<String, String> preparedBeginTag) {
        this.preparedBeginTag = preparedBeginTag;
    }

    /**
     * A look at the bytes, so that the messages of other statements are not decoded: a short Query or
     * an unnamed Parse whose text starts as BEGIN or START does, or a Bind to the unnamed portal with
     * no parameters.
     */
    static boolean mayStart(ByteBuf body, FrontendType type) {
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

    /** Takes a Query that is a plain BEGIN (releasing it); false if it is not one. */
    boolean takeQuery(Frame frame, ByteBufAllocator alloc) {
        if (!(decoded(frame) instanceof Query query) || (tag = PlainBegin.tagOf(query.sql())) == null) {
            return false;
        }
        add(encoded(alloc, new Parse("", query.sql(), new int[0])), PARSE_COMPLETE);
        add(encoded(alloc, new Bind("", "", new short[0], List.of(), new short[0])), BIND_COMPLETE);
        add(encoded(alloc, new Execute("", 0)), COMMAND_COMPLETE);
        add(encoded(alloc, new Close(TargetKind.STATEMENT, "")), CLOSE_COMPLETE);
        fromQuery = true;
        frame.release();
        return true;
    }

    /** Takes the next extended message of a cycle that is a plain BEGIN so far; false if the cycle is not one. */
    boolean take(Frame frame) {
        if (executed()) {
            return false;
        }
        FrontendMessage message = decoded(frame);
        boolean bound = replyCount > 0 && replyTypes[replyCount - 1] != PARSE_COMPLETE;
        byte reply;
        if (message instanceof Parse parse && replyCount == 0 && parse.statement().isEmpty()) {
            tag = PlainBegin.tagOf(parse);
            if (tag == null) {
                return false;
            }
            reply = PARSE_COMPLETE;
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
            return replyCount == 1; // after the cycle's Parse of a plain BEGIN
        }
        if (replyCount > 0) {
            return false;
        }
        tag = preparedBeginTag.apply(bind.statement());
        return tag != null;
    }

    /** The cycle executed its BEGIN: the Sync that follows completes it. */
    boolean executed() {
        return replyCount > 0 && replyTypes[replyCount - 1] == COMMAND_COMPLETE;
    }

    int replyCount() {
        return replyCount;
    }

    /** The type of the {@code index}-th reply the messages get upstream. */
    byte replyType(int index) {
        return replyTypes[index];
    }

    /** Writes the messages upstream (without a flush) and lets go of them. */
    void writeTo(Channel upstream) {
        for (Frame frame : messages) {
            upstream.write(frame.content(), upstream.voidPromise());
        }
        messages.clear();
    }

    /**
     * What PostgreSQL answers the client's BEGIN with, a message per buffer: CommandComplete for a
     * Query, else a reply per message; then ReadyForQuery 'T'.
     */
    List<ByteBuf> answer(ByteBufAllocator alloc) {
        List<ByteBuf> answer = new ArrayList<>(replyCount + 1);
        if (fromQuery) {
            answer.add(commandComplete(alloc));
        } else {
            for (int i = 0; i < replyCount; i++) {
                answer.add(replyTypes[i] == COMMAND_COMPLETE ? commandComplete(alloc)
                        : alloc.buffer(5).writeByte(replyTypes[i]).writeInt(4));
            }
        }
        ByteBuf ready = alloc.buffer(6);
        new ReadyForQuery(TransactionStatus.IN_TRANSACTION).encode(ready);
        answer.add(ready);
        return answer;
    }

    /** Releases the messages not written and forgets the cycle. */
    void clear() {
        for (Frame frame : messages) {
            frame.release();
        }
        messages.clear();
        replyCount = 0;
        tag = null;
        fromQuery = false;
    }

    private ByteBuf commandComplete(ByteBufAllocator alloc) {
        ByteBuf complete = alloc.buffer();
        new CommandComplete(tag).encode(complete);
        return complete;
    }

    private void add(Frame frame, byte reply) {
        messages.add(frame);
        replyTypes[replyCount++] = reply;
    }

    /** The message decoded, or null when it is malformed (it then goes upstream, which answers it). */
    static FrontendMessage decoded(Frame frame) {
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
}

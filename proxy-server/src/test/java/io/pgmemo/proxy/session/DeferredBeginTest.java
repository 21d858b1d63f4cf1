package io.pgmemo.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a deferred BEGIN sends upstream and when, what it swallows, and how it fails, on Netty's own
 * in-memory channels with messages as the protocol encodes them. The integration test of the same
 * name in the cache package checks it against PostgreSQL.
 */
class DeferredBeginTest {
    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final ReplyQueue replies = new ReplyQueue(client);
    private final DeferredBegin begin = new DeferredBegin(upstream,
            Map.of("b", new Parse("b", "BEGIN", new int[0]), "p", new Parse("p", "BEGIN", new int[] {23}))::get);

    DeferredBeginTest() throws RepliesOutOfStep {
        ByteBuf ready = ready('I');
        Frame frame = new Frame(ready.retain());
        replies.onReply(frame, ready);
        frame.release();
        drain(client);
    }

    @AfterEach
    void close() {
        begin.releaseAll();
        drain(client);
        drain(upstream);
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Test
    void aQueryBeginIsAnsweredAndSentWithoutSyncInFrontOfTheNextRequest() throws Exception {
        assertThat(send(new Query("BEGIN"))).isTrue();
        assertThat(sentUpstream()).isEmpty();
        begin.answerIfDue(replies);
        assertThat(sentToClient()).containsExactly('C', 'Z');
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.DEFERRED);

        assertThat(send(new Query("UPDATE t SET v = 1"))).isFalse();
        // Parse, Bind, Execute and Close of the BEGIN, then the Query.
        assertThat(sentUpstream()).containsExactly('P', 'B', 'E', 'C', 'Q');
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.CONFIRMING);

        // A request pipelined behind the first waits until the BEGIN is confirmed.
        assertThat(send(new Query("SELECT 1"))).isTrue();
        for (char type : new char[] {'1', '2', 'C'}) {
            assertThat(begin.onReply(BackendType.of((byte) type))).isEqualTo(DeferredBegin.Reply.SWALLOWED);
        }
        assertThat(sentUpstream()).isEmpty();
        assertThat(begin.onReply(BackendType.CLOSE_COMPLETE)).isEqualTo(DeferredBegin.Reply.SWALLOWED);
        assertThat(sentUpstream()).containsExactly('Q');
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.NONE);
        assertThat(begin.onReply(BackendType.COMMAND_COMPLETE)).isEqualTo(DeferredBegin.Reply.RELAY);
    }

    @Test
    void anErrorInPlaceOfTheBeginsRepliesFailsIt() throws Exception {
        beginInFrontOf("begin work", "UPDATE t SET v = 1");
        assertThat(begin.onReply(BackendType.PARSE_COMPLETE)).isEqualTo(DeferredBegin.Reply.SWALLOWED);
        assertThat(begin.onReply(BackendType.NOTICE_RESPONSE)).isEqualTo(DeferredBegin.Reply.RELAY);
        assertThat(begin.onReply(BackendType.ERROR_RESPONSE)).isEqualTo(DeferredBegin.Reply.FAILED);
    }

    @Test
    void aReplyThatAnswersNoPartOfTheBeginIsOutOfStep() throws Exception {
        beginInFrontOf("BEGIN", "SELECT 1");
        assertThatThrownBy(() -> begin.onReply(BackendType.DATA_ROW)).isInstanceOf(RepliesOutOfStep.class);
    }

    @Test
    void aNamedBeginCycleIsHeldUntilItsSyncAndSentWithoutIt() throws Exception {
        assertThat(send(new Bind("", "b", new short[0], List.of(), new short[] {0}))).isTrue();
        assertThat(send(new Execute("", 0))).isTrue();
        assertThat(send(Sync.INSTANCE)).isTrue();
        begin.answerIfDue(replies);
        assertThat(sentToClient()).containsExactly('2', 'C', 'Z');
        assertThat(sentUpstream()).isEmpty();
        send(new Parse("", "SELECT 1", new int[0]));
        assertThat(sentUpstream()).containsExactly('B', 'E', 'P');
    }

    @Test
    void aCycleThatTurnsOutNoBeginGoesUpstreamAsItCame() throws Exception {
        assertThat(send(new Parse("", "BEGIN", new int[0]))).isTrue();
        assertThat(send(new Bind("", "", new short[0], List.of(), new short[0]))).isTrue();
        assertThat(send(new Parse("s", "SELECT 1", new int[0]))).isFalse();
        assertThat(sentUpstream()).containsExactly('P', 'B', 'P');
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.NONE);
    }

    @Test
    void whatCannotBeAPlainBeginIsNotTaken() throws Exception {
        for (String sql : List.of("BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN; SELECT 1", "START", "SELECT 1",
                "BEGIN READ WRITE", "-- x\nBEGIN", "BEGIN /* x */")) {
            assertThat(takenWhenIdle(begin, new Query(sql))).as(sql).isFalse();
        }
        assertThat(takenWhenIdle(begin, new Bind("", "other", new short[0], List.of(), new short[0]))).isFalse();
        assertThat(takenWhenIdle(begin, new Bind("", "b", new short[0], List.of(new byte[] {'1'}), new short[0])))
                .isFalse();
        assertThat(takenWhenIdle(begin, new Bind("p", "b", new short[0], List.of(), new short[0]))).isFalse();
        assertThat(takenWhenIdle(begin, new Bind("", "p", new short[0], List.of(), new short[0]))).isFalse();
        assertThat(takenWhenIdle(new DeferredBegin(upstream, name -> null),
                new Bind("", "b", new short[0], List.of(), new short[0]))).isFalse();
        assertThat(takenWhenIdle(new DeferredBegin(upstream, null),
                new Bind("", "b", new short[0], List.of(), new short[0]))).isFalse();
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.NONE);
        assertThat(sentUpstream()).isEmpty();

        Frame notIdle = new Frame(encoded(new Query("BEGIN")));
        assertThat(begin.takes(notIdle, false)).isFalse();
        notIdle.release();
    }

    private static boolean takenWhenIdle(DeferredBegin begin, FrontendMessage message) {
        Frame frame = new Frame(encoded(message));
        boolean taken = begin.takes(frame, true);
        if (!taken) {
            frame.release();
        }
        return taken;
    }

    @Test
    void aTerminateDropsTheDeferredBegin() throws Exception {
        send(new Query("START TRANSACTION"));
        begin.answerIfDue(replies);
        assertThat(sentToClient()).containsExactly('C', 'Z');
        ByteBuf terminate = Unpooled.buffer().writeByte('X').writeInt(4);
        assertThat(begin.takes(new Frame(terminate), false)).isFalse();
        terminate.release();
        assertThat(sentUpstream()).isEmpty();
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.NONE);
    }

    /** The client sends a Query BEGIN, gets its answer, then sends {@code next}, which takes the BEGIN upstream. */
    private void beginInFrontOf(String beginSql, String next) throws RepliesOutOfStep {
        assertThat(send(new Query(beginSql))).isTrue();
        begin.answerIfDue(replies);
        assertThat(send(new Query(next))).isFalse();
        assertThat(begin.state()).isEqualTo(DeferredBegin.State.CONFIRMING);
    }

    private boolean send(FrontendMessage message) {
        ByteBuf bytes = encoded(message);
        Frame frame = new Frame(bytes);
        boolean idle = replies.isEmpty();
        replies.sent(frame.frontendType(), null);
        boolean taken = begin.takes(frame, idle);
        if (!taken) {
            upstream.writeOutbound(bytes);
        }
        return taken;
    }

    private static ByteBuf encoded(FrontendMessage message) {
        ByteBuf out = Unpooled.buffer();
        message.encode(out);
        return out;
    }

    private List<Character> sentUpstream() {
        return drain(upstream);
    }

    private List<Character> sentToClient() {
        return drain(client);
    }

    /** The type of every message written to the channel since the last look, one per message. */
    private static List<Character> drain(EmbeddedChannel channel) {
        channel.flush();
        List<Character> types = new ArrayList<>();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            while (out.isReadable()) {
                types.add((char) out.readByte());
                out.skipBytes(out.readInt() - 4);
            }
            out.release();
        }
        return types;
    }

    private static ByteBuf ready(char status) {
        return Unpooled.buffer().writeByte('Z').writeInt(5).writeByte(status);
    }
}

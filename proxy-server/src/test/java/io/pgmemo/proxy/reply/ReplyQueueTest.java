package io.pgmemo.proxy.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.backend.TransactionStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which a session's client sees replies and answers, and what counts as drift, on
 * Netty's own in-memory channel with frames as PostgreSQL encodes them.
 */
class ReplyQueueTest {
    private static final Expected OWN = () -> true;

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final ReplyQueue queue = new ReplyQueue(client);
    private final List<String> observed = new ArrayList<>();

    ReplyQueueTest() throws RepliesOutOfStep {
        queue.observe(new ReplyQueue.Observer() {
            public void onReply(Expected head, Frame frame, BackendType type) {
                observed.add(type.name());
            }

            public void onReadyForQuery(Expected head, TransactionStatus status) {
                observed.add("ended " + status);
            }
        });
        reply(readyForQuery('I'));
        written();
        observed.clear();
    }

    @AfterEach
    void close() {
        client.flush();
        client.finishAndReleaseAll();
    }

    @Test
    void anAnswerWaitsForTheRepliesSentBeforeIt() throws Exception {
        queue.sent(FrontendType.QUERY, null);
        queue.answer(bytes("answer"));
        queue.sent(FrontendType.QUERY, null);
        reply(commandComplete("first"));
        assertThat(written()).containsExactly("C first");
        reply(readyForQuery('I'));
        assertThat(written()).containsExactly("Z I", "answer");
        reply(commandComplete("third"));
        reply(readyForQuery('I'));
        assertThat(written()).containsExactly("C third", "Z I");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void anAnswerWithNothingInFlightIsWrittenAtOnce() {
        queue.answer(bytes("answer"));
        assertThat(written()).containsExactly("answer");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void theProxysOwnRepliesAreSwallowedButObserved() throws Exception {
        queue.sentOwn(OWN);
        queue.sent(FrontendType.SYNC, null);
        reply(commandComplete("own"));
        reply(readyForQuery('I'));
        reply(commandComplete("client's"));
        reply(readyForQuery('T'));
        assertThat(written()).containsExactly("C client's", "Z T");
        assertThat(queue.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
        assertThat(observed).containsExactly("COMMAND_COMPLETE", "READY_FOR_QUERY", "ended IDLE",
                "COMMAND_COMPLETE", "READY_FOR_QUERY", "ended IN_TRANSACTION");
    }

    @Test
    void repliesOfAnOpenCycleAreRelayedButItsReadyForQueryIsDrift() throws Exception {
        queue.sent(FrontendType.PARSE, null);
        queue.sent(FrontendType.FLUSH, null);
        reply(message('1', new byte[0]));
        assertThat(written()).hasSize(1);
        assertThat(queue.isEmpty()).isFalse();
        assertThatThrownBy(() -> reply(readyForQuery('I'))).isInstanceOf(RepliesOutOfStep.class)
                .hasMessageContaining("READY_FOR_QUERY");
    }

    @Test
    void aSyncEndsTheOpenCycle() throws Exception {
        queue.sent(FrontendType.PARSE, null);
        queue.sent(FrontendType.BIND, null);
        queue.sent(FrontendType.EXECUTE, null);
        queue.sent(FrontendType.SYNC, null);
        assertThat(queue.cycleOpen()).isFalse();
        assertThat(queue.awaitingUpstream()).isEqualTo(1);
        reply(readyForQuery('I'));
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aResultWithNothingExpectedIsDrift() {
        assertThatThrownBy(() -> reply(commandComplete("SELECT 1"))).isInstanceOf(RepliesOutOfStep.class)
                .hasMessageContaining("COMMAND_COMPLETE");
        assertThatThrownBy(() -> reply(readyForQuery('I'))).isInstanceOf(RepliesOutOfStep.class);
        assertThat(written()).isEmpty();
    }

    @Test
    void noticesAndNotificationsNeedNoRequest() throws Exception {
        reply(message('N', "SNOTICE\0\0".getBytes(StandardCharsets.US_ASCII)));
        reply(message('A', new byte[] {0, 0, 0, 1, 'c', 0, 'p', 0}));
        reply(message('S', "TimeZone\0UTC\0".getBytes(StandardCharsets.US_ASCII)));
        assertThat(written()).hasSize(3);
        assertThat(observed).containsExactly("NOTICE_RESPONSE", "NOTIFICATION_RESPONSE", "PARAMETER_STATUS");
    }

    @Test
    void answersNotWrittenAreReleasedWhenTheSessionEnds() {
        queue.sent(FrontendType.QUERY, null);
        ByteBuf answer = bytes("answer");
        queue.answer(answer);
        queue.clear();
        assertThat(answer.refCnt()).isZero();
        assertThat(queue.isEmpty()).isTrue();
    }

    private void reply(ByteBuf message) throws RepliesOutOfStep {
        Frame frame = new Frame(message);
        queue.onReply(frame, frame.content());
    }

    /** What the client received since last asked: a message as its type and text, an answer as its text. */
    private List<String> written() {
        List<String> out = new ArrayList<>();
        client.flush();
        ByteBuf buf;
        while ((buf = client.readOutbound()) != null) {
            byte type = buf.getByte(buf.readerIndex());
            if (type == 'C' || type == 'Z') {
                int length = buf.getInt(buf.readerIndex() + 1) - 4;
                String body = buf.toString(buf.readerIndex() + 5, length, StandardCharsets.US_ASCII);
                out.add((char) type + " " + body.replace("\0", ""));
            } else if (type == '1' || type == 'N' || type == 'A' || type == 'S') {
                out.add(String.valueOf((char) type));
            } else {
                out.add(buf.toString(StandardCharsets.US_ASCII));
            }
            buf.release();
        }
        return out;
    }

    private static ByteBuf readyForQuery(char status) {
        return message('Z', new byte[] {(byte) status});
    }

    private static ByteBuf commandComplete(String tag) {
        return message('C', (tag + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuf message(char type, byte[] body) {
        ByteBuf buf = Unpooled.buffer(5 + body.length);
        buf.writeByte(type).writeInt(4 + body.length).writeBytes(body);
        return buf;
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}

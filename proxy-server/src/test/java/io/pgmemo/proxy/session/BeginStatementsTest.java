package io.pgmemo.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import org.junit.jupiter.api.Test;

/** Which named statements the relay alone learns as plain BEGINs, and when it forgets them. */
class BeginStatementsTest {
    private final BeginStatements statements = new BeginStatements();

    @Test
    void aParseAndSyncAloneThatTheUpstreamConfirmedIsLearnt() {
        prepare("b", "BEGIN;", true);
        assertThat(statements.tagOf("b")).isNull();
        statements.onReply(BackendType.PARSE_COMPLETE);
        statements.onReply(BackendType.READY_FOR_QUERY);
        assertThat(statements.tagOf("b")).isEqualTo("BEGIN");
    }

    @Test
    void anErrorOrAnotherCycleTeachesNothing() {
        prepare("b", "BEGIN", true);
        statements.onReply(BackendType.ERROR_RESPONSE);
        statements.onReply(BackendType.READY_FOR_QUERY);
        assertThat(statements.tagOf("b")).isNull();

        prepare("c", "BEGIN", false);
        statements.onReply(BackendType.PARSE_COMPLETE);
        statements.onReply(BackendType.READY_FOR_QUERY);
        assertThat(statements.tagOf("c")).isNull();

        prepare("d", "BEGIN ISOLATION LEVEL SERIALIZABLE", true);
        statements.onReply(BackendType.PARSE_COMPLETE);
        statements.onReply(BackendType.READY_FOR_QUERY);
        assertThat(statements.tagOf("d")).isNull();
    }

    @Test
    void aCloseOrDeallocateForgets() {
        learn("b");
        sent(new Close(TargetKind.STATEMENT, "b"), true);
        assertThat(statements.tagOf("b")).isNull();

        learn("b");
        sent(new Query("SELECT 1"), true);
        assertThat(statements.tagOf("b")).isEqualTo("BEGIN");
        sent(new Query("deallocate all"), true);
        assertThat(statements.tagOf("b")).isNull();

        learn("b");
        sent(new Parse("b", "SELECT 1", new int[0]), true);
        assertThat(statements.tagOf("b")).isNull();
    }

    private void learn(String name) {
        prepare(name, "BEGIN", true);
        statements.onReply(BackendType.PARSE_COMPLETE);
        statements.onReply(BackendType.READY_FOR_QUERY);
    }

    private void prepare(String name, String sql, boolean idle) {
        sent(new Parse(name, sql, new int[0]), idle);
        sent(Sync.INSTANCE, false);
    }

    private void sent(FrontendMessage message, boolean idle) {
        ByteBuf bytes = Unpooled.buffer();
        message.encode(bytes);
        Frame frame = new Frame(bytes);
        statements.sent(frame, idle);
        frame.release();
    }
}

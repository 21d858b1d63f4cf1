package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.ProtocolViolationException;

/** ReadyForQuery: the backend finished a cycle; carries the transaction status. */
public record ReadyForQuery(TransactionStatus status) implements BackendMessage {

    static ReadyForQuery decode(ByteBuf body) {
        if (body.readableBytes() != 1) {
            throw new ProtocolViolationException("malformed ReadyForQuery message");
        }
        return new ReadyForQuery(TransactionStatus.of(body.readByte()));
    }

    /** Reads only the status byte of a ReadyForQuery body; allocation-free for the hot path. */
    public static TransactionStatus statusOf(ByteBuf body) {
        return TransactionStatus.of(body.getByte(body.readerIndex()));
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(BackendType.READY_FOR_QUERY.code()).writeInt(5).writeByte(status.code());
    }
}

package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Flush: asks the backend to send what it has produced so far. */
public record Flush() implements FrontendMessage {

    public static final Flush INSTANCE = new Flush();

    static Flush decode(ByteBuf body) {
        Wire.requireConsumed(body, "Flush");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(FrontendType.FLUSH.code()).writeInt(4);
    }
}

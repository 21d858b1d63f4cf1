package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Terminate: the client is closing the session. */
public record Terminate() implements FrontendMessage {

    public static final Terminate INSTANCE = new Terminate();

    static Terminate decode(ByteBuf body) {
        Wire.requireConsumed(body, "Terminate");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(FrontendType.TERMINATE.code()).writeInt(4);
    }
}

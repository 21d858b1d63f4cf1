package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Sync: ends an extended-protocol cycle; the backend answers ReadyForQuery. */
public record Sync() implements FrontendMessage {

    public static final Sync INSTANCE = new Sync();

    static Sync decode(ByteBuf body) {
        Wire.requireConsumed(body, "Sync");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(FrontendType.SYNC.code()).writeInt(4);
    }
}

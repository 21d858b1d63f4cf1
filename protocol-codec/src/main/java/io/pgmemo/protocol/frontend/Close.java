package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Close: release a prepared statement ('S') or a portal ('P'). */
public record Close(TargetKind kind, String name) implements FrontendMessage {

    static Close decode(ByteBuf body) {
        TargetKind kind = TargetKind.read(body, "Close");
        String name = Wire.readCString(body);
        Wire.requireConsumed(body, "Close");
        return new Close(kind, name);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.CLOSE.code());
        out.writeByte(kind.code());
        Wire.writeCString(out, name);
        Wire.endMessage(out, length);
    }
}

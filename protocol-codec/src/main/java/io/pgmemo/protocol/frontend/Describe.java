package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Describe: ask for the description of a prepared statement ('S') or a portal ('P'). */
public record Describe(TargetKind kind, String name) implements FrontendMessage {

    static Describe decode(ByteBuf body) {
        TargetKind kind = TargetKind.read(body, "Describe");
        String name = Wire.readCString(body);
        Wire.requireConsumed(body, "Describe");
        return new Describe(kind, name);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.DESCRIBE.code());
        out.writeByte(kind.code());
        Wire.writeCString(out, name);
        Wire.endMessage(out, length);
    }
}

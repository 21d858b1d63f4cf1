package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;

/** Execute: run a portal, returning at most maxRows rows (0 = no limit). */
public record Execute(String portal, int maxRows) implements FrontendMessage {

    static Execute decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        if (body.readableBytes() != 4) {
            throw new ProtocolViolationException("malformed Execute message");
        }
        return new Execute(portal, body.readInt());
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.EXECUTE.code());
        Wire.writeCString(out, portal);
        out.writeInt(maxRows);
        Wire.endMessage(out, length);
    }
}

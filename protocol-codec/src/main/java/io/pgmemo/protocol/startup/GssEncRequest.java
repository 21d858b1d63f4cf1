package io.pgmemo.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.Wire;

/** GSSENCRequest: the client asks for GSSAPI encryption; answered with 'G' or 'N'. */
public record GssEncRequest() implements StartupPacket {

    public static final GssEncRequest INSTANCE = new GssEncRequest();

    static GssEncRequest decode(ByteBuf rest) {
        Wire.requireConsumed(rest, "GSSENCRequest");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8).writeInt(GSSENC_REQUEST_CODE);
    }
}

package io.pgmemo.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.Wire;

/** SSLRequest: the client asks for TLS; answered with a single byte 'S' or 'N'. */
public record SslRequest() implements StartupPacket {

    public static final SslRequest INSTANCE = new SslRequest();

    static SslRequest decode(ByteBuf rest) {
        Wire.requireConsumed(rest, "SSLRequest");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8).writeInt(SSL_REQUEST_CODE);
    }
}

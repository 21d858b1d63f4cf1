package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.pgmemo.protocol.ProtocolViolationException;
import java.util.List;

/**
 * PostgreSQL 17's direct TLS negotiation (sslnegotiation=direct): a client may start the TLS
 * handshake at once instead of sending SSLRequest first. The first byte tells: 0x16 is a TLS
 * handshake record, while every startup packet begins with the high byte of a length under
 * 10 000, which is 0. This handler looks at that byte, puts an {@link SslHandler} in its place
 * or steps aside, and is gone after the first read. As in PostgreSQL, a direct TLS client must
 * negotiate the ALPN protocol "postgresql"; one that does not gets 08P01 and is closed.
 */
public final class DirectTlsDetector extends ByteToMessageDecoder {
    public static final String NAME = "directTlsDetector";
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final ClientTls tls;

    public DirectTlsDetector(ClientTls tls) {
        this.tls = tls;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (in.getByte(in.readerIndex()) != TLS_HANDSHAKE_RECORD) {
            ctx.pipeline().remove(this);
            return;
        }
        SslHandler handler = tls.newHandler(ctx.alloc());
        handler.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess() && !TlsContexts.ALPN_POSTGRESQL.equals(handler.applicationProtocol())) {
                ctx.pipeline().fireExceptionCaught(new ProtocolViolationException(
                        "received direct SSL connection request without ALPN protocol negotiation extension"));
            }
        });
        // The bytes read so far go on to the SslHandler when this decoder is removed.
        ctx.pipeline().replace(this, ClientTls.HANDLER_NAME, handler);
    }
}

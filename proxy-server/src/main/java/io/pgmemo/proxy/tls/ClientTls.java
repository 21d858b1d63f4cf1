package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import io.pgmemo.proxy.config.ClientTlsMode;
import java.security.cert.Certificate;

/** TLS toward clients: the mode, and the server context loaded at start-up (null under disable). */
public record ClientTls(ClientTlsMode mode, SslContext context) {

    /** The name of the {@link SslHandler} in a client channel's pipeline. */
    public static final String HANDLER_NAME = "clientTls";

    public static final ClientTls DISABLED = new ClientTls(ClientTlsMode.DISABLE, null);

    /** SSLRequest is answered 'S' and direct TLS is accepted. */
    public boolean acceptsTls() {
        return context != null;
    }

    /** A plaintext StartupMessage is refused. */
    public boolean requiresTls() {
        return mode == ClientTlsMode.REQUIRE;
    }

    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** pgmemo's certificate binding on this client channel (RFC 5929), or null in plaintext. */
    public static TlsServerEndPoint bindingOf(ChannelPipeline pipeline) {
        if (!(pipeline.get(HANDLER_NAME) instanceof SslHandler handler)) {
            return null;
        }
        Certificate[] own = handler.engine().getSession().getLocalCertificates();
        return own == null || own.length == 0 ? null : TlsServerEndPoint.of(own[0]);
    }

    /** Whether this client channel already speaks TLS (after SSLRequest or direct TLS). */
    public static boolean isEncrypted(ChannelPipeline pipeline) {
        return pipeline.get(HANDLER_NAME) != null;
    }
}

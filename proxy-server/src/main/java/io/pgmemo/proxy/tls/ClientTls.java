package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import io.pgmemo.proxy.config.ClientTlsMode;

/**
 * TLS toward clients: the mode, the server context loaded at start-up, and the channel binding of
 * its certificate (RFC 5929 tls-server-end-point; null where the certificate's signature names no
 * usable hash). Context and binding are null under disable.
 */
public record ClientTls(ClientTlsMode mode, SslContext context, TlsServerEndPoint binding) {

    /** The name of the {@link SslHandler} in a client channel's pipeline. */
    public static final String HANDLER_NAME = "clientTls";

    public static final ClientTls DISABLED = new ClientTls(ClientTlsMode.DISABLE, null, null);

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

    /** pgmemo's certificate binding on this client channel, or null in plaintext. */
    public TlsServerEndPoint bindingOf(ChannelPipeline pipeline) {
        return isEncrypted(pipeline) ? binding : null;
    }

    /** Whether this client channel already speaks TLS (after SSLRequest or direct TLS). */
    public static boolean isEncrypted(ChannelPipeline pipeline) {
        return pipeline.get(HANDLER_NAME) != null;
    }
}

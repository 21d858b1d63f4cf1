package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/** TLS toward the upstream: libpq's sslmode and the client context loaded at start-up (null under disable). */
public record UpstreamTls(UpstreamTlsMode mode, SslContext context) {

    /** The name of the {@link SslHandler} in an upstream channel's pipeline. */
    public static final String HANDLER_NAME = "upstreamTls";

    public static final UpstreamTls DISABLED = new UpstreamTls(UpstreamTlsMode.DISABLE, null);

    /** An engine for {@code upstream}: its host name goes into SNI and, under verify-full, is checked. */
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort upstream) {
        return context.newHandler(alloc, upstream.host(), upstream.port());
    }

    /** Whether this upstream channel speaks TLS. */
    public static boolean isEncrypted(ChannelPipeline pipeline) {
        return pipeline.get(HANDLER_NAME) != null;
    }

    /** The upstream certificate's binding on this channel (RFC 5929), or null in plaintext. */
    public static TlsServerEndPoint bindingOf(ChannelPipeline pipeline) {
        if (!(pipeline.get(HANDLER_NAME) instanceof SslHandler handler)) {
            return null;
        }
        try {
            Certificate[] peer = handler.engine().getSession().getPeerCertificates();
            return peer.length == 0 ? null : TlsServerEndPoint.of(peer[0]);
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}

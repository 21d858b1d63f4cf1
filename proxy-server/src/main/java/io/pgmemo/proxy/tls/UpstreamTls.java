package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.UpstreamTlsMode;

/** TLS toward the upstream: libpq's sslmode and the client context loaded at start-up (null under disable). */
public record UpstreamTls(UpstreamTlsMode mode, SslContext context) {

    /** The name of the {@link SslHandler} in an upstream channel's pipeline. */
    public static final String HANDLER_NAME = "upstreamTls";

    public static final UpstreamTls DISABLED = new UpstreamTls(UpstreamTlsMode.DISABLE, null);

    /** An engine for {@code upstream}: its host name goes into SNI and, under verify-full, is checked. */
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort upstream) {
        return context.newHandler(alloc, upstream.host(), upstream.port());
    }
}

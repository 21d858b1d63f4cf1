package io.pgmemo.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmemo.protocol.startup.StartupPacket;
import io.pgmemo.proxy.config.HostPort;
import java.util.concurrent.TimeUnit;

/**
 * The first thing on every upstream connection, as libpq does it (protocol section 55.2.10):
 *
 * <pre>
 *   proxy ──SSLRequest──▶ upstream
 *   proxy ◀──'S'── upstream   then the TLS handshake; {@code ready} once it succeeds
 *   proxy ◀──'N'── upstream   prefer: plaintext, {@code ready}; require and stronger: failed
 * </pre>
 *
 * Under disable it steps aside at once. It removes itself when the channel is ready for the
 * StartupMessage; until then it keeps errors and the close from the session's handlers and reports
 * them through {@code ready} instead. Autoread is off on upstream channels, so it reads explicitly.
 */
public final class UpstreamTlsNegotiation extends ChannelInboundHandlerAdapter {
    public static final String NAME = "upstreamTlsNegotiation";

    private final UpstreamTls tls;
    private final HostPort upstream;
    private final Promise<Channel> ready;
    private final long timeoutMillis;
    private ScheduledFuture<?> timeout;
    private boolean answered;

    public UpstreamTlsNegotiation(UpstreamTls tls, HostPort upstream, Promise<Channel> ready, long timeoutMillis) {
        this.tls = tls;
        this.upstream = upstream;
        this.ready = ready;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (tls.context() == null) {
            succeed(ctx);
            return;
        }
        timeout = ctx.executor().schedule(() -> fail(ctx, "no answer to SSLRequest within " + timeoutMillis + " ms"),
                timeoutMillis, TimeUnit.MILLISECONDS);
        ByteBuf request = ctx.alloc().buffer(8).writeInt(8).writeInt(StartupPacket.SSL_REQUEST_CODE);
        ctx.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                fail(ctx, "cannot send SSLRequest: " + TlsContexts.rootMessage(written.cause()));
            }
        });
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (answered) {
                fail(ctx, "the server sent data during the TLS handshake");
                return;
            }
            answered = true;
            byte answer = in.readByte();
            if (in.isReadable()) {
                // CVE-2021-23222: bytes behind the 'S' were not protected by TLS; never read them as a reply.
                fail(ctx, "the server sent unencrypted data after its answer to SSLRequest");
            } else if (answer == 'S') {
                startHandshake(ctx);
            } else if (answer == 'N' && !tls.mode().requiresTls()) {
                succeed(ctx);
            } else if (answer == 'N') {
                fail(ctx, "the server does not support TLS, and --upstream-tls is " + tls.mode().cliName());
            } else {
                fail(ctx, "unexpected answer to SSLRequest: " + (answer & 0xff));
            }
        } finally {
            in.release();
        }
    }

    private void startHandshake(ChannelHandlerContext ctx) {
        SslHandler handler = tls.newHandler(ctx.alloc(), upstream);
        ctx.pipeline().addBefore(ctx.name(), UpstreamTls.HANDLER_NAME, handler);
        handler.handshakeFuture().addListener((Future<Channel> handshake) -> {
            if (handshake.isSuccess()) {
                succeed(ctx);
            } else {
                fail(ctx, "TLS handshake failed (--upstream-tls " + tls.mode().cliName() + "): "
                        + TlsContexts.rootMessage(handshake.cause()));
            }
        });
        ctx.read();
    }

    private void succeed(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (ready.isDone()) {
            return;
        }
        ctx.pipeline().remove(this);
        ready.trySuccess(ctx.channel());
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        cancelTimeout();
        if (ready.tryFailure(new UpstreamTlsException(reason))) {
            ctx.close();
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, TlsContexts.rootMessage(cause));
    }

    /** Not passed on: the session has not got this channel yet, and learns of the failure through ready. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the server closed the connection during TLS negotiation");
    }

    /** Why an upstream connection could not be made ready; the message is meant for the client. */
    public static final class UpstreamTlsException extends Exception {
        UpstreamTlsException(String message) {
            super(message, null, false, false);
        }
    }
}

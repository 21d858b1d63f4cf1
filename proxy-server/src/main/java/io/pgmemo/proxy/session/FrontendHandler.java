package io.pgmemo.proxy.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.startup.CancelRequest;
import io.pgmemo.protocol.startup.GssEncRequest;
import io.pgmemo.protocol.startup.SslRequest;
import io.pgmemo.protocol.startup.StartupMessage;
import io.pgmemo.proxy.tls.ClientTls;
import io.pgmemo.proxy.tls.TlsContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client side of a session: startup packets, then frames handed to the {@link Session}. */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
    /** The answer to SSLRequest and GSSENCRequest: "not supported, continue in plaintext". */
    private static final byte NOT_SUPPORTED = 'N';
    /** The answer to SSLRequest when a certificate is configured: "go on, start the TLS handshake". */
    private static final byte WILLING = 'S';

    private final FrontendDecoder decoder;
    private final SessionServices services;
    private final UpstreamConnector connector;
    private final SessionRegistry registry;
    private final ClientTls tls;
    private Session session;

    public FrontendHandler(FrontendDecoder decoder, SessionServices services) {
        this.decoder = decoder;
        this.services = services;
        this.connector = services.connector();
        this.registry = services.registry();
        this.tls = services.tls();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        session = new Session(ctx.channel(), decoder, services);
        registry.add(session);
        registry.track(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            session.onClientFrame(frame);
        } else if (msg instanceof StartupMessage startup) {
            onStartup(ctx, startup);
        } else if (msg instanceof SslRequest) {
            onSslRequest(ctx);
        } else if (msg instanceof GssEncRequest) {
            answer(ctx, NOT_SUPPORTED);
        } else if (msg instanceof CancelRequest cancel) {
            forwardCancel(ctx, cancel);
        } else {
            throw new IllegalStateException("unexpected message " + msg);
        }
    }

    /**
     * Protocol section 55.2.10: 'S' goes out in plaintext, then the TLS handshake. The SslHandler
     * goes in front of the decoder before this read returns, so every later byte is decrypted; the
     * decoder already refused bytes that came with the SSLRequest (CVE-2021-23214).
     */
    private void onSslRequest(ChannelHandlerContext ctx) {
        if (ClientTls.isEncrypted(ctx.pipeline())) {
            session.fail(ErrorResponse.protocolViolation("SSLRequest on a connection that is already encrypted"));
        } else if (tls.acceptsTls()) {
            answer(ctx, WILLING);
            ctx.pipeline().addBefore("frontendDecoder", ClientTls.HANDLER_NAME, tls.newHandler(ctx.alloc()));
        } else {
            answer(ctx, NOT_SUPPORTED);
        }
    }

    private static void answer(ChannelHandlerContext ctx, byte answer) {
        ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(answer), ctx.voidPromise());
    }

    /** Under --client-tls require, refuse a plaintext client as a hostssl-only pg_hba.conf does (28000). */
    private void onStartup(ChannelHandlerContext ctx, StartupMessage startup) {
        if (tls.requiresTls() && !ClientTls.isEncrypted(ctx.pipeline())) {
            String host = ctx.channel().remoteAddress() instanceof InetSocketAddress address
                    ? address.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
            log.info("refused plaintext client {} (user {}): --client-tls require", host, startup.user());
            session.fail(plaintextRefused(host, startup));
            return;
        }
        session.onStartup(startup);
    }

    /** PostgreSQL says: no pg_hba.conf entry for host "h", user "u", database "d", no encryption. */
    private static ErrorResponse plaintextRefused(String host, StartupMessage startup) {
        return ErrorResponse.builder().severity("FATAL").code(SqlState.INVALID_AUTHORIZATION_SPECIFICATION)
                .message("pgmemo accepts only TLS connections: refused host \"" + host + "\", user \""
                        + startup.user() + "\", database \"" + startup.database() + "\", no encryption")
                .hint("Connect with sslmode=require or stronger.")
                .build();
    }

    private void forwardCancel(ChannelHandlerContext ctx, CancelRequest cancel) {
        CancelKey key = new CancelKey(cancel.processId(), cancel.secretKey());
        if (registry.ownsCancelKey(key)) {
            connector.sendCancel(ctx.channel().eventLoop(), cancel);
            log.debug("forwarded cancel for backend {}", cancel.processId());
        } else {
            log.debug("ignored cancel for unknown backend {}", cancel.processId());
        }
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.flushUpstream();
        session.flushClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.clientWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.clientClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProtocolViolationException violation = protocolViolation(cause);
        if (violation != null) {
            log.info("client {} sent invalid input: {}", ctx.channel().remoteAddress(), violation.getMessage());
            session.fail(ErrorResponse.protocolViolation(violation.getMessage()));
        } else if (isTlsFailure(cause)) {
            log.info("client {} TLS failed: {}", ctx.channel().remoteAddress(), TlsContexts.rootMessage(cause));
            ctx.close();
        } else if (cause instanceof IOException) {
            log.debug("client {} connection error: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn("session failed on the client side", cause);
            session.fail(ErrorResponse.fatal(SqlState.INTERNAL_ERROR, "pgmemo internal error"));
        }
    }

    /** A failed handshake, a bad TLS record, or plaintext where a TLS record was due. */
    private static boolean isTlsFailure(Throwable cause) {
        return cause instanceof SSLException || cause instanceof NotSslRecordException
                || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }

    /** ByteToMessageDecoder passes a DecoderException subclass through as it is, others wrapped. */
    private static ProtocolViolationException protocolViolation(Throwable cause) {
        if (cause instanceof ProtocolViolationException violation) {
            return violation;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolViolationException violation) {
            return violation;
        }
        return null;
    }
}

package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.startup.CancelRequest;
import io.pgmemo.protocol.startup.GssEncRequest;
import io.pgmemo.protocol.startup.SslRequest;
import io.pgmemo.protocol.startup.StartupMessage;
import io.pgmemo.proxy.cache.QueryCache;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client side of a session: startup packets, then frames handed to the {@link Session}. */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);
    /** The answer to SSLRequest and GSSENCRequest: "not supported, continue in plaintext". */
    private static final byte NOT_SUPPORTED = 'N';

    private final FrontendDecoder decoder;
    private final UpstreamConnector connector;
    private final SessionRegistry registry;
    private final QueryCache queryCache;
    private Session session;

    public FrontendHandler(FrontendDecoder decoder, UpstreamConnector connector, SessionRegistry registry,
                           QueryCache queryCache) {
        this.decoder = decoder;
        this.connector = connector;
        this.registry = registry;
        this.queryCache = queryCache;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        session = new Session(ctx.channel(), decoder, connector, registry, queryCache);
        registry.add(session);
        registry.track(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            session.onClientFrame(frame);
        } else if (msg instanceof StartupMessage startup) {
            session.onStartup(startup);
        } else if (msg instanceof SslRequest || msg instanceof GssEncRequest) {
            ByteBuf answer = ctx.alloc().buffer(1).writeByte(NOT_SUPPORTED);
            ctx.writeAndFlush(answer, ctx.voidPromise());
        } else if (msg instanceof CancelRequest cancel) {
            forwardCancel(ctx, cancel);
        } else {
            throw new IllegalStateException("unexpected message " + msg);
        }
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
        } else if (cause instanceof IOException) {
            log.debug("client {} connection error: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn("session failed on the client side", cause);
            session.fail(ErrorResponse.fatal(SqlState.INTERNAL_ERROR, "pgmemo internal error"));
        }
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

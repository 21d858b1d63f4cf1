package io.pgmemo.proxy.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.backend.ErrorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The upstream side of a session: frames from the server handed to the {@link Session}. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

    private final Session session;

    BackendHandler(Session session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.onUpstreamFrame((Frame) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.flushClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.upstreamWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.upstreamClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("upstream connection failed: {}", cause.toString());
        session.fail(ErrorResponse.upstreamUnavailable("lost the connection to the upstream server"));
    }
}

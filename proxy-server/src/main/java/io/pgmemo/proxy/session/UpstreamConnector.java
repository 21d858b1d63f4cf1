package io.pgmemo.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.pgmemo.protocol.BackendDecoder;
import io.pgmemo.protocol.startup.CancelRequest;
import io.pgmemo.proxy.config.HostPort;
import java.time.Duration;

/**
 * Opens connections to the upstream PostgreSQL, always on the event loop of the client channel
 * they serve, so a session's two channels never need locks.
 */
public final class UpstreamConnector {
    /** Small water marks: a slow reader on either side stops the other side within ~64 KiB. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final Class<? extends SocketChannel> channelClass;
    private final HostPort upstream;
    private final int connectTimeoutMillis;

    public UpstreamConnector(Class<? extends SocketChannel> channelClass, HostPort upstream, Duration connectTimeout) {
        this.channelClass = channelClass;
        this.upstream = upstream;
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
    }

    public HostPort upstream() {
        return upstream;
    }

    ChannelFuture connect(EventLoop loop, Session session) {
        return bootstrap(loop)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("backendDecoder", new BackendDecoder());
                        ch.pipeline().addLast("backendHandler", new BackendHandler(session));
                    }
                })
                .connect(upstream.host(), upstream.port());
    }

    /** Sends a CancelRequest on a fresh connection and closes it, as the protocol asks. */
    void sendCancel(EventLoop loop, CancelRequest request) {
        bootstrap(loop)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // The server answers a cancel by closing; nothing to read.
                    }
                })
                .connect(upstream.host(), upstream.port())
                .addListener((ChannelFutureListener) future -> {
                    if (future.isSuccess()) {
                        Channel channel = future.channel();
                        ByteBuf packet = channel.alloc().buffer(16);
                        request.encode(packet);
                        channel.writeAndFlush(packet).addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }

    private Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }
}

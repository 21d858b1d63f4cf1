package io.pgmemo.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.pgmemo.protocol.BackendDecoder;
import io.pgmemo.protocol.startup.CancelRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.tls.UpstreamTls;
import io.pgmemo.proxy.tls.UpstreamTlsNegotiation;
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
    private final UpstreamTls tls;

    public UpstreamConnector(Class<? extends SocketChannel> channelClass, HostPort upstream, Duration connectTimeout,
                             UpstreamTls tls) {
        this.channelClass = channelClass;
        this.upstream = upstream;
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
        this.tls = tls;
    }

    public HostPort upstream() {
        return upstream;
    }

    /**
     * Connects and negotiates TLS per the upstream mode; the future completes when the channel is
     * ready for the StartupMessage, or fails with a reason meant for the client.
     */
    Future<Channel> connect(EventLoop loop, Session session) {
        Promise<Channel> ready = loop.newPromise();
        Bootstrap bootstrap = bootstrap(loop)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(UpstreamTlsNegotiation.NAME, negotiation(ready));
                        ch.pipeline().addLast("backendDecoder", new BackendDecoder());
                        ch.pipeline().addLast("backendHandler", new BackendHandler(session));
                    }
                });
        return connect(bootstrap, ready);
    }

    /**
     * Sends a CancelRequest on a fresh connection and closes it, as the protocol asks; over TLS
     * when the upstream mode says so, as libpq 17 does.
     */
    void sendCancel(EventLoop loop, CancelRequest request) {
        Promise<Channel> ready = loop.newPromise();
        Bootstrap bootstrap = bootstrap(loop)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // The server answers a cancel by closing; nothing to read.
                        ch.pipeline().addLast(UpstreamTlsNegotiation.NAME, negotiation(ready));
                    }
                });
        connect(bootstrap, ready).addListener((Future<Channel> future) -> {
            if (future.isSuccess()) {
                Channel channel = future.getNow();
                ByteBuf packet = channel.alloc().buffer(16);
                request.encode(packet);
                channel.writeAndFlush(packet).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    private UpstreamTlsNegotiation negotiation(Promise<Channel> ready) {
        return new UpstreamTlsNegotiation(tls, upstream, ready, connectTimeoutMillis);
    }

    private Future<Channel> connect(Bootstrap bootstrap, Promise<Channel> ready) {
        bootstrap.connect(upstream.host(), upstream.port()).addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                ready.tryFailure(connected.cause());
            }
        });
        return ready;
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

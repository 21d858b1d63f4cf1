package io.pgmemo.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * The floor of a relay on pgmemo's stack, for bench/pgbench.sh's {@code RELAY_FLOOR=1}: the same
 * transport (Netty epoll, one event loop per core, both channels of a connection on one loop,
 * TCP_NODELAY, one flush per read batch), but bytes forwarded without decoding a message, keeping
 * any state or looking anything up. What it costs per query is what no pgmemo change can remove.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pgmemo.bench.NettyRelay LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT}
 * (listens on 127.0.0.1). Not a proxy to use: no error handling beyond closing both sides.
 */
public final class NettyRelay {
    private NettyRelay() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: NettyRelay LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT");
            System.exit(2);
        }
        int listenPort = Integer.parseInt(args[0]);
        String upstreamHost = args[1];
        int upstreamPort = Integer.parseInt(args[2]);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        new ServerBootstrap()
                .group(loops)
                .channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        client.pipeline().addLast(new ClientSide(upstreamHost, upstreamPort));
                    }
                })
                .bind("127.0.0.1", listenPort).sync()
                .channel().closeFuture().sync();
    }

    /** Forwards what one side sends to its peer, flushed once per read batch; closes the peer with it. */
    private static class Forward extends ChannelInboundHandlerAdapter {
        Channel peer;

        Forward(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object bytes) {
            peer.write(bytes, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null) {
                peer.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client's side: connects upstream, and reads from the client only once that is open. */
    private static final class ClientSide extends Forward {
        private final String upstreamHost;
        private final int upstreamPort;

        ClientSide(String upstreamHost, int upstreamPort) {
            super(null);
            this.upstreamHost = upstreamHost;
            this.upstreamPort = upstreamPort;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            new Bootstrap()
                    .group(client.eventLoop())
                    .channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Forward(client))
                    .connect(upstreamHost, upstreamPort)
                    .addListener((ChannelFutureListener) connected -> {
                        if (connected.isSuccess()) {
                            peer = connected.channel();
                            client.config().setAutoRead(true);
                        } else {
                            client.close();
                        }
                    });
        }
    }
}

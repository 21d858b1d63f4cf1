package io.pgmemo.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.proxy.auth.AuthFile;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.config.CacheOptions;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.session.FrontendHandler;
import io.pgmemo.proxy.session.Session;
import io.pgmemo.proxy.session.SessionRegistry;
import io.pgmemo.proxy.session.SessionServices;
import io.pgmemo.proxy.session.UpstreamConnector;
import io.pgmemo.proxy.tls.ClientTls;
import io.pgmemo.proxy.tls.DirectTlsDetector;
import io.pgmemo.proxy.tls.TlsContexts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listening proxy: accepts clients and gives each a {@link Session}. */
public final class PgmemoServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgmemoServer.class);
    private static final long CLOSE_CHANNELS_MILLIS = 5000;

    private final ProxyConfig config;
    private final Transport transport = Transport.best();
    private final SessionRegistry registry = new SessionRegistry();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private Channel listener;
    private QueryCache queryCache;
    private boolean stopped;

    public PgmemoServer(ProxyConfig config) {
        this.config = config;
    }

    /** Binds the listen address; returns once clients can connect. */
    public PgmemoServer start() throws InterruptedException {
        TlsContexts tls = TlsContexts.load(config.tls());
        AuthFile logins = AuthFile.load(config.authFile());
        queryCache = openCache();
        acceptor = transport.newGroup(1);
        workers = transport.newGroup(ioThreads());
        UpstreamConnector connector = new UpstreamConnector(transport.socketChannel(), config.upstream(),
                config.connectTimeout(), tls.upstream());
        ClientTls clientTls = tls.client();
        SessionServices services = new SessionServices(connector, registry, queryCache, clientTls, logins,
                config.deferBegin());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, UpstreamConnector.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        FrontendDecoder decoder = new FrontendDecoder(config.maxMessageBytes());
                        if (clientTls.acceptsTls()) {
                            ch.pipeline().addLast(DirectTlsDetector.NAME, new DirectTlsDetector(clientTls));
                        }
                        ch.pipeline().addLast("frontendDecoder", decoder);
                        ch.pipeline().addLast("frontendHandler",
                                new FrontendHandler(decoder, services));
                    }
                });
        try {
            listener = bootstrap.bind(config.listen().host(), config.listen().port()).sync().channel();
        } catch (RuntimeException e) {
            acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        log.info("pgmemo listening on {} ({}), relaying to {}; {}", boundAddress(), transport.name(),
                config.upstream(), tls);
        if (logins.users() > 0) {
            log.info("auth file {}: pgmemo authenticates its {} users itself, relays every other login",
                    config.authFile(), logins.users());
        }
        return this;
    }

    private QueryCache openCache() {
        CacheOptions options = config.cache();
        if (!options.enabled()) {
            return null;
        }
        QueryCache cache = new QueryCache(options.config(), options.persistent());
        log.info("result cache on: ttl {}, memory {} bytes, file {} (max {} bytes), entries up to {} bytes",
                options.config().ttl(), options.config().memoryBytes(),
                options.persistent() ? options.config().file() : "none", options.config().maxFileBytes(),
                options.config().maxEntryBytes());
        return cache;
    }

    public QueryCache queryCache() {
        return queryCache;
    }

    /** One event loop per core by default: the relay is CPU-light and more threads only add switching. */
    private int ioThreads() {
        return config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    public SessionRegistry sessions() {
        return registry;
    }

    /**
     * Stops accepting, lets each session finish what it is doing (idle sessions are ended at once
     * with 57P01, busy ones when they next become idle), and after {@code drainTimeout} ends the rest.
     */
    public synchronized void shutdown(Duration drainTimeout) throws InterruptedException {
        if (stopped || listener == null) {
            return;
        }
        stopped = true;
        log.info("pgmemo shutting down: draining {} sessions (up to {})", registry.size(), drainTimeout);
        listener.close().sync();
        registry.snapshot().forEach(Session::drain);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (registry.size() > 0) {
            log.warn("ending {} sessions still busy after {}", registry.size(), drainTimeout);
            registry.snapshot().forEach(Session::terminateNow);
        }
        // Also upstreams of ended sessions still waiting to send Terminate: a channel left to the event
        // loops' own shutdown may never release what it had queued.
        registry.closeChannels(CLOSE_CHANNELS_MILLIS);
        stopGroup("workers", workers);
        stopGroup("acceptor", acceptor);
        if (queryCache != null) {
            queryCache.close();
        }
        log.info("pgmemo stopped");
    }

    /** Stops an event loop group, waiting a bounded time: a loop that died must not hang the exit. */
    private static void stopGroup(String name, EventLoopGroup group) throws InterruptedException {
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS)) {
            log.warn("{} event loops did not stop within 10 s; exiting anyway", name);
        }
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(config.shutdownTimeout());
    }
}

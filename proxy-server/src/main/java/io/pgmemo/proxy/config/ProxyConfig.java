package io.pgmemo.proxy.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server needs to run, fixed at start-up.
 *
 * @param listen          where clients connect
 * @param upstream        the PostgreSQL server sessions are relayed to
 * @param connectTimeout  how long to wait for the upstream to accept a connection
 * @param maxMessageBytes the largest message a client may send after authentication
 * @param shutdownTimeout how long SIGTERM waits for busy sessions to reach an idle point
 * @param ioThreads       event-loop threads (0 = one per core)
 * @param cache           the result cache, or {@link CacheOptions#DISABLED}
 * @param tls             TLS toward clients and toward the upstream
 * @param authFile        the users pgmemo authenticates itself (PgBouncer's auth_file format), or null
 * @param deferBegin      answer a plain BEGIN at once and send it upstream with the next request
 */
public record ProxyConfig(HostPort listen, HostPort upstream, Duration connectTimeout, int maxMessageBytes,
                          Duration shutdownTimeout, int ioThreads, CacheOptions cache, TlsConfig tls,
                          Path authFile, boolean deferBegin) {

    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    public ProxyConfig {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative");
        }
    }

    /** Defaults for everything but the two addresses. */
    public static ProxyConfig of(HostPort listen, HostPort upstream) {
        return new ProxyConfig(listen, upstream, Duration.ofSeconds(5), DEFAULT_MAX_MESSAGE_BYTES,
                Duration.ofSeconds(30), 0, CacheOptions.DISABLED, TlsConfig.DEFAULT, null, true);
    }

    public ProxyConfig withShutdownTimeout(Duration timeout) {
        return new ProxyConfig(listen, upstream, connectTimeout, maxMessageBytes, timeout, ioThreads, cache, tls,
                authFile, deferBegin);
    }

    public ProxyConfig withConnectTimeout(Duration timeout) {
        return new ProxyConfig(listen, upstream, timeout, maxMessageBytes, shutdownTimeout, ioThreads, cache, tls,
                authFile, deferBegin);
    }

    public ProxyConfig withCache(CacheOptions options) {
        return new ProxyConfig(listen, upstream, connectTimeout, maxMessageBytes, shutdownTimeout, ioThreads, options,
                tls, authFile, deferBegin);
    }

    public ProxyConfig withMaxMessageBytes(int bytes) {
        return new ProxyConfig(listen, upstream, connectTimeout, bytes, shutdownTimeout, ioThreads, cache, tls,
                authFile, deferBegin);
    }

    public ProxyConfig withAuthFile(Path file) {
        return new ProxyConfig(listen, upstream, connectTimeout, maxMessageBytes, shutdownTimeout, ioThreads, cache,
                tls, file, deferBegin);
    }

    public ProxyConfig withDeferBegin(boolean defer) {
        return new ProxyConfig(listen, upstream, connectTimeout, maxMessageBytes, shutdownTimeout, ioThreads, cache,
                tls, authFile, defer);
    }

    public ProxyConfig withTls(TlsConfig settings) {
        return new ProxyConfig(listen, upstream, connectTimeout, maxMessageBytes, shutdownTimeout, ioThreads, cache,
                settings, authFile, deferBegin);
    }
}

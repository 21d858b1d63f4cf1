package io.pgmemo.proxy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every server-running command shares. Each can also be set by its environment variable. */
final class ServerOptions {

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            defaultValue = "${env:PGMEMO_LISTEN:-127.0.0.1:6432}",
            description = "Address clients connect to (env PGMEMO_LISTEN). Default: ${DEFAULT-VALUE}.")
    HostPort listen;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PGMEMO_CONNECT_TIMEOUT:-5s}",
            description = "How long to wait for the upstream to accept a connection before the client "
                    + "gets SQLSTATE 08001 (env PGMEMO_CONNECT_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--max-message-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            defaultValue = "${env:PGMEMO_MAX_MESSAGE_BYTES:-64MB}",
            description = "Largest message a client may send after authentication; a larger one gets "
                    + "08P01 and a close (env PGMEMO_MAX_MESSAGE_BYTES). Before authentication the "
                    + "limit is fixed at 64kB. Default: ${DEFAULT-VALUE}.")
    long maxMessageBytes;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PGMEMO_SHUTDOWN_TIMEOUT:-30s}",
            description = "On SIGTERM, how long busy sessions may run on before they are ended; idle "
                    + "sessions end at once (env PGMEMO_SHUTDOWN_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "${env:PGMEMO_IO_THREADS:-0}",
            description = "Event-loop threads; 0 means one per core (env PGMEMO_IO_THREADS). "
                    + "Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "${env:PGMEMO_LOG_LEVEL:-INFO}",
            description = "ERROR, WARN, INFO, DEBUG (sessions) or TRACE (every message's type) "
                    + "(env PGMEMO_LOG_LEVEL). Default: ${DEFAULT-VALUE}.")
    String logLevel;

    @Option(names = "--auth-file", paramLabel = "FILE", defaultValue = "${env:PGMEMO_AUTH_FILE}",
            description = "Users pgmemo authenticates itself, in PgBouncer's auth_file format: \"user\" "
                    + "\"SCRAM-SHA-256$...\" (the role's verifier from pg_authid) or \"user\" \"password\". "
                    + "Their clients may use SCRAM channel binding; other users' logins are relayed to the "
                    + "upstream (env PGMEMO_AUTH_FILE). Read once at start.")
    Path authFile;

    @Option(names = "--defer-begin", negatable = true, defaultValue = "${env:PGMEMO_DEFER_BEGIN:-true}",
            fallbackValue = "true",
            description = "Answer a BEGIN without transaction modes at once in an idle session and send it upstream "
                    + "with the next request, saving the upstream a round trip per transaction block "
                    + "(env PGMEMO_DEFER_BEGIN). Default: ${DEFAULT-VALUE}.")
    boolean deferBegin;

    @Mixin
    CacheCliOptions cache;

    @Mixin
    TlsCliOptions tls;

    ProxyConfig toConfig(HostPort upstream) {
        if (maxMessageBytes > Integer.MAX_VALUE - 8 || maxMessageBytes < FrontendDecoder.MAX_AUTH_MESSAGE) {
            throw new IllegalArgumentException("--max-message-bytes must be between 64kB and 2GB");
        }
        return new ProxyConfig(listen, upstream, connectTimeout, (int) maxMessageBytes, shutdownTimeout, ioThreads,
                cache.toOptions(), tls.toConfig(), authFile, deferBegin);
    }

    void applyLogLevel() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(logLevel, Level.INFO));
    }
}

package io.pgmemo.proxy.cli;

import io.netty.util.ResourceLeakDetector;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.tls.TlsContexts;
import io.pgmemo.proxy.tls.TlsSetupException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgmemo}: run the proxy in front of an upstream PostgreSQL. */
@Command(name = "pgmemo", mixinStandardHelpOptions = true, version = "pgmemo 0.1.0",
        description = {"A PostgreSQL wire-protocol proxy. Point any Postgres client at --listen "
                + "instead of at PostgreSQL; every session is relayed to --upstream.",
                "Every option can also be set by the environment variable named in its description."},
        subcommands = {DemoCommand.class, PingCommand.class, CommandLine.HelpCommand.class})
public final class PgmemoCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Option(names = "--upstream", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            defaultValue = "${env:PGMEMO_UPSTREAM:-127.0.0.1:5432}",
            description = "The PostgreSQL server to relay to (env PGMEMO_UPSTREAM). Default: ${DEFAULT-VALUE}.")
    HostPort upstream;

    @Override
    public Integer call() throws Exception {
        server.applyLogLevel();
        ProxyConfig config = server.toConfig(upstream);
        // Unusable TLS files end the process here, with one line naming the file, before anything starts.
        TlsContexts.load(config.tls());
        UntilStopped untilStopped = new UntilStopped();
        PgmemoServer proxy = new PgmemoServer(config).start();
        untilStopped.await(proxy, config.shutdownTimeout(), () -> { });
        return 0;
    }

    public static void main(String[] args) {
        withoutLeakSampling();
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: a setting that cannot be used (a TLS file that
     * cannot be read, a value out of range) ends the process with one line naming it, not a stack trace.
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PgmemoCommand());
        commandLine.setExecutionExceptionHandler((error, failed, parseResult) -> {
            if (error instanceof TlsSetupException || error instanceof IllegalArgumentException) {
                failed.getErr().println("pgmemo: " + error.getMessage());
                failed.getErr().flush();
                return 1;
            }
            throw error;
        });
        return commandLine;
    }

    /**
     * Netty samples one buffer in 128 for leak reports by default and records a stack trace for each:
     * about 2 us of event-loop CPU per relayed query. A running proxy turns that off unless
     * -Dio.netty.leakDetection.level asks for a level (the e2e scripts ask for one; the tests
     * watch every buffer).
     */
    static void withoutLeakSampling() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}

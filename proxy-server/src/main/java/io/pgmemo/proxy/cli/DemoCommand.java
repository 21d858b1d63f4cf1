package io.pgmemo.proxy.cli;

import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.demo.DemoDatabase;
import io.pgmemo.proxy.server.PgmemoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pgmemo demo}: an embedded PostgreSQL with sample data, and pgmemo in front of it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an embedded PostgreSQL with a sample database and run pgmemo in front of it. "
                + "Needs nothing installed; stop it with Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    @Option(names = "--pg-port", paramLabel = "PORT", defaultValue = "${env:PGMEMO_DEMO_PG_PORT:-0}",
            description = "Port of the embedded PostgreSQL; 0 picks a free one (env PGMEMO_DEMO_PG_PORT). "
                    + "Default: ${DEFAULT-VALUE}.")
    int pgPort;

    @Override
    public Integer call() throws Exception {
        server.applyLogLevel();
        UntilStopped untilStopped = new UntilStopped();
        System.out.println("Starting an embedded PostgreSQL with the sample database '" + DemoDatabase.DATABASE
                + "' (the first run unpacks it, which takes a few seconds)...");
        DemoDatabase database = DemoDatabase.start(pgPort);
        ProxyConfig config = server.toConfig(new HostPort("127.0.0.1", database.port()));
        PgmemoServer proxy;
        try {
            proxy = new PgmemoServer(config).start();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        int port = proxy.boundAddress().getPort();
        System.out.println();
        System.out.println("pgmemo demo is running.");
        System.out.println("  upstream PostgreSQL: 127.0.0.1:" + database.port()
                + " (user postgres, no password, database " + DemoDatabase.DATABASE + ")");
        System.out.println("  connect through pgmemo: psql -h " + config.listen().host() + " -p " + port
                + " -U postgres " + DemoDatabase.DATABASE);
        System.out.println("  try: SELECT * FROM city_revenue ORDER BY revenue DESC;");
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        untilStopped.await(proxy, config.shutdownTimeout(), () -> {
            try {
                database.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return 0;
    }
}

package io.pgmemo.proxy.cli;

import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.demo.DemoDatabase;
import io.pgmemo.proxy.demo.DemoJar;
import io.pgmemo.proxy.server.PgmemoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgmemo demo}: an embedded PostgreSQL with sample data, and pgmemo in front of it. The
 * PostgreSQL binaries are not in pgmemo.jar but in pgmemo-demo.jar beside it (see {@link DemoJar}).
 */
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

    @Option(names = "--demo-jar", paramLabel = "PATH", defaultValue = "${env:PGMEMO_DEMO_JAR}",
            description = "The jar with the embedded PostgreSQL (env PGMEMO_DEMO_JAR). "
                    + "Default: " + DemoJar.FILE_NAME + " beside pgmemo.jar.")
    Path demoJar;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        server.applyLogLevel();
        Path jar = demoJar != null ? demoJar : DemoJar.besideServer();
        DemoDatabase.Starter starter;
        try {
            starter = DemoJar.load(jar);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("pgmemo demo: the embedded PostgreSQL is not in pgmemo.jar but in "
                    + DemoJar.FILE_NAME + ", and there is none at " + jar.toAbsolutePath() + ". Build both jars with "
                    + "./mvnw -B -DskipTests package (from the repository root), or give its path with --demo-jar "
                    + "(env PGMEMO_DEMO_JAR).");
            return 1;
        }
        UntilStopped untilStopped = new UntilStopped();
        System.out.println("Starting an embedded PostgreSQL with the sample database '" + DemoDatabase.DATABASE
                + "' (the first run unpacks it, which takes a few seconds)...");
        DemoDatabase database = starter.start(pgPort);
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

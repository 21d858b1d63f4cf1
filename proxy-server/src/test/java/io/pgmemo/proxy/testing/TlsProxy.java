package io.pgmemo.proxy.testing;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.server.PgmemoServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** A proxy of a test's own that terminates client TLS, in front of {@link PgEnvironment}'s plaintext server. */
public record TlsProxy(PgmemoServer server) implements AutoCloseable {

    public static TlsProxy start(TestCertificates.ServerFiles files, ClientTlsMode mode) throws InterruptedException {
        PgEnvironment env = PgEnvironment.get();
        ProxyConfig config = ProxyConfig.of(new HostPort(PgEnvironment.HOST, 0),
                new HostPort(PgEnvironment.HOST, env.upstreamPort()));
        TlsConfig tls = TlsConfig.DEFAULT.withClient(files.certificate(), files.key(), mode);
        return new TlsProxy(new PgmemoServer(config.withTls(tls)).start());
    }

    public int port() {
        return server.boundAddress().getPort();
    }

    /** pgjdbc to this proxy at {@code host} (a name or address of the loopback), user postgres by default. */
    public Connection connect(String host, Properties properties) throws SQLException {
        Properties all = new Properties();
        all.setProperty("user", PgEnvironment.SUPERUSER);
        all.setProperty("connectTimeout", "10");
        all.setProperty("socketTimeout", "60");
        all.putAll(properties);
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port() + "/" + PgEnvironment.DATABASE,
                PgEnvironment.withDefaults(all));
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown(Duration.ofSeconds(2));
    }
}

package io.pgmemo.proxy.tls;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Psql;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TestCertificates.ServerFiles;
import io.pgmemo.proxy.testing.TlsPostgres;
import io.pgmemo.proxy.testing.TlsProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM through pgmemo with TLS on both legs: channel binding cannot cross it, so pgmemo never
 * offers SCRAM-SHA-256-PLUS; a client that insists on binding stops itself, one that could bind
 * but does not insist is refused with a clear 28000, one that does not bind logs in.
 */
@ProxyTest
class ChannelBindingTest {
    @TempDir
    static Path dir;
    private static TlsPostgres upstream;
    private static TlsProxy proxy;
    private static Path ca;

    @BeforeAll
    static void start() throws Exception {
        upstream = TlsPostgres.start(dir);
        TestCertificates.LocalFiles files = TestCertificates.writeLocal(dir, "pgmemo channel binding test CA");
        ca = files.ca();
        ServerFiles local = files.server();
        ProxyConfig config = ProxyConfig.of(new HostPort(PgEnvironment.HOST, 0),
                new HostPort(PgEnvironment.HOST, upstream.port()));
        TlsConfig tls = new TlsConfig(local.certificate(), local.key(), ClientTlsMode.ALLOW,
                UpstreamTlsMode.VERIFY_FULL, upstream.caFile());
        proxy = new TlsProxy(new PgmemoServer(config.withTls(tls)).start());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.server().shutdown(Duration.ofSeconds(2));
        upstream.close();
    }

    @Test
    void aClientThatRequiresBindingStopsWithItsOwnError() {
        SQLException refused = login(props("sslmode", "verify-full", "channelBinding", "require"));

        assertThat(refused.getMessage()).containsIgnoringCase("channel binding");
    }

    @Test
    void aTlsClientThatCouldBindIsToldHowToLogIn() {
        SQLException refused = login(props("sslmode", "verify-full", "channelBinding", "prefer"));

        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getMessage()).contains("channel binding cannot pass through pgmemo");
    }

    @Test
    void aTlsClientWithoutBindingLogsIn() throws Exception {
        assertLogsIn(props("sslmode", "verify-full", "channelBinding", "disable"));
    }

    @Test
    void aPlaintextClientLogsIn() throws Exception {
        assertLogsIn(props("sslmode", "disable"));
    }

    /** libpq (psql 15+) at its default channel_binding=prefer, and with require and disable. */
    @Test
    void psqlSeesTheSameThreeOutcomes() throws Exception {
        assumeTrue(Psql.available(), "needs " + Psql.PSQL);
        Map<String, String> password = Map.of("PGPASSWORD", TlsPostgres.SCRAM_PASSWORD);

        Psql.Result required = Psql.run(psqlConninfo("require"), password, "SELECT current_user");
        Psql.Result preferred = Psql.run(psqlConninfo("prefer"), password, "SELECT current_user");
        Psql.Result disabled = Psql.run(psqlConninfo("disable"), password, "SELECT current_user");

        assertThat(required.err()).contains("channel binding is required, but server did not offer an "
                + "authentication method that supports channel binding");
        assertThat(preferred.err()).contains("SCRAM channel binding cannot pass through pgmemo",
                "channel_binding=disable");
        assertThat(disabled.out().trim()).as(disabled.err()).isEqualTo(TlsPostgres.SCRAM_USER);
    }

    private String psqlConninfo(String channelBinding) {
        return "host=localhost port=" + proxy.port() + " user=" + TlsPostgres.SCRAM_USER + " dbname="
                + PgEnvironment.DATABASE + " sslmode=verify-full sslrootcert=" + ca + " channel_binding="
                + channelBinding;
    }

    private void assertLogsIn(Properties properties) throws Exception {
        try (Connection connection = proxy.connect("localhost", scram(properties))) {
            assertThat(Rows.query(connection, "SELECT current_user").strings().get(0))
                    .containsExactly(TlsPostgres.SCRAM_USER);
        }
    }

    private SQLException login(Properties properties) {
        SQLException refused = catchThrowableOfType(SQLException.class,
                () -> proxy.connect("localhost", scram(properties)).close());
        assertThat((Throwable) refused).as("the login is refused").isNotNull();
        return refused;
    }

    private Properties scram(Properties properties) {
        properties.setProperty("user", TlsPostgres.SCRAM_USER);
        properties.setProperty("password", TlsPostgres.SCRAM_PASSWORD);
        properties.setProperty("sslrootcert", ca.toString());
        return properties;
    }
}

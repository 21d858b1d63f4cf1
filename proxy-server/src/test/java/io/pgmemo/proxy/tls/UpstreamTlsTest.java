package io.pgmemo.proxy.tls;

import static io.pgmemo.proxy.testing.PgEnvironment.credentials;
import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgmemo.proxy.config.CacheOptions;
import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TlsPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** pgmemo in front of a PostgreSQL that accepts only TLS (hostssl), in each --upstream-tls mode. */
@ProxyTest
class UpstreamTlsTest {
    private static final String SESSION_FACTS = "SELECT current_user, (SELECT ssl FROM pg_stat_ssl"
            + " WHERE pid = pg_backend_pid()) AS ssl, n FROM generate_series(1, 3) AS n";

    @TempDir
    static Path dir;
    private static TlsPostgres upstream;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = TlsPostgres.start(dir);
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstream.close();
    }

    @ParameterizedTest(name = "--upstream-tls {0}")
    @EnumSource(value = UpstreamTlsMode.class, names = {"PREFER", "REQUIRE", "VERIFY_CA", "VERIFY_FULL"})
    void hostsslOnlyUpstreamGivesTheSameRowsAsDirect(UpstreamTlsMode mode) throws Exception {
        Path ca = mode == UpstreamTlsMode.PREFER || mode == UpstreamTlsMode.REQUIRE ? null : upstream.caFile();
        try (Proxy proxy = proxy(upstream.port(), mode, ca);
             Connection viaProxy = proxy.connect(new Properties());
             Connection direct = upstream.connect(props("sslmode", "require"))) {
            Rows proxied = Rows.query(viaProxy, SESSION_FACTS);

            assertThat(proxied).isEqualTo(Rows.query(direct, SESSION_FACTS));
            assertThat(proxied.strings().get(0).get(1)).as("the upstream backend's ssl").isEqualTo("t");
        }
    }

    @Test
    void scramLoginThroughVerifyFull() throws Exception {
        try (Proxy proxy = proxy(upstream.port(), UpstreamTlsMode.VERIFY_FULL, upstream.caFile());
             Connection scram = proxy.connect(credentials(TlsPostgres.SCRAM_USER, TlsPostgres.SCRAM_PASSWORD))) {
            assertThat(Rows.query(scram, "SELECT current_user").strings().get(0)).containsExactly(
                    TlsPostgres.SCRAM_USER);
            assertThat(sqlStateOf(() -> proxy.connect(credentials(TlsPostgres.SCRAM_USER, "wrong"))))
                    .isEqualTo("28P01");
        }
    }

    @Test
    void anUpstreamCertificateFromAnotherCaFailsTheClientClearly() throws Exception {
        Path otherCa = TestCertificates.writeCa(dir, "other-ca", TestCertificates.ca("some other CA"));
        try (Proxy proxy = proxy(upstream.port(), UpstreamTlsMode.VERIFY_CA, otherCa)) {
            SQLException refused = failure(() -> proxy.connect(new Properties()));

            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(refused.getMessage()).contains("TLS handshake failed", "--upstream-tls verify-ca",
                    "certification path");
        }
    }

    /** The upstream's certificate names another host: verify-full refuses it, verify-ca does not check names. */
    @Test
    void verifyFullRefusesAnUpstreamCertificateForAnotherHost() throws Exception {
        try (TlsPostgres elsewhere = TlsPostgres.start(dir, List.of("db.elsewhere.invalid"), List.of())) {
            try (Proxy proxy = proxy(elsewhere.port(), UpstreamTlsMode.VERIFY_FULL, elsewhere.caFile())) {
                SQLException refused = failure(() -> proxy.connect(new Properties()));

                assertThat(refused.getSQLState()).isEqualTo("08001");
                assertThat(refused.getMessage()).contains("TLS handshake failed", "127.0.0.1");
            }
            try (Proxy proxy = proxy(elsewhere.port(), UpstreamTlsMode.VERIFY_CA, elsewhere.caFile());
                 Connection connection = proxy.connect(new Properties())) {
                assertThat(Rows.query(connection, "SELECT 1").size()).isEqualTo(1);
            }
        }
    }

    @Test
    void anUpstreamWithoutTlsFailsTheClientUnderRequire() throws Exception {
        int plaintextUpstream = PgEnvironment.get().upstreamPort();
        try (Proxy proxy = proxy(plaintextUpstream, UpstreamTlsMode.REQUIRE, null)) {
            SQLException refused = failure(() -> proxy.connect(new Properties()));

            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(refused.getMessage()).contains("does not support TLS", "--upstream-tls is require");
        }
        try (Proxy proxy = proxy(plaintextUpstream, UpstreamTlsMode.PREFER, null);
             Connection fallback = proxy.connect(new Properties())) {
            assertThat(Rows.query(fallback, "SELECT 1").size()).isEqualTo(1);
        }
    }

    @Test
    void disableMeetsTheUpstreamsOwnHostsslRefusal() throws Exception {
        try (Proxy proxy = proxy(upstream.port(), UpstreamTlsMode.DISABLE, null)) {
            SQLException refused = failure(() -> proxy.connect(new Properties()));

            assertThat(refused.getSQLState()).isEqualTo("28000");
            assertThat(refused.getMessage()).contains("pg_hba.conf rejects connection", "no encryption");
        }
    }

    @Test
    void cancelRequestReachesTheUpstreamOverTls() throws Exception {
        try (Proxy proxy = proxy(upstream.port(), UpstreamTlsMode.VERIFY_FULL, upstream.caFile());
             Connection connection = proxy.connect(new Properties());
             Statement statement = connection.createStatement()) {
            CompletableFuture<String> sleep = CompletableFuture.supplyAsync(
                    () -> sqlStateOf(() -> statement.execute("SELECT pg_sleep(30)")));
            Thread.sleep(500);
            statement.cancel();

            assertThat(sleep.get(20, TimeUnit.SECONDS)).isEqualTo("57014");
        }
    }

    /** The catalog look-ups that decide what is cacheable run inside the client's TLS session: reads hit. */
    @Test
    void theCacheReadsTheCatalogOverTls() throws Exception {
        try (Connection direct = upstream.connect(props("sslmode", "require"));
             Statement st = direct.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS tls_cached (id int)");
            st.execute("INSERT INTO tls_cached VALUES (1), (2)");
        }
        try (Proxy proxy = proxy(upstream.port(), UpstreamTlsMode.VERIFY_FULL, upstream.caFile(),
                config -> config.withCache(CacheOptions.memoryOnly()));
             Connection connection = proxy.connect(new Properties())) {
            for (int i = 0; i < 3; i++) {
                Rows.query(connection, "SELECT id FROM tls_cached ORDER BY id");
            }
            assertThat(proxy.server().queryCache().stats().snapshot().hits()).isPositive();
        }
    }

    private static Proxy proxy(int upstreamPort, UpstreamTlsMode mode, Path ca) throws InterruptedException {
        return proxy(upstreamPort, mode, ca, UnaryOperator.identity());
    }

    private static Proxy proxy(int upstreamPort, UpstreamTlsMode mode, Path ca, UnaryOperator<ProxyConfig> more)
            throws InterruptedException {
        ProxyConfig config = ProxyConfig.of(new HostPort(PgEnvironment.HOST, 0),
                new HostPort(PgEnvironment.HOST, upstreamPort)).withTls(TlsConfig.DEFAULT.withUpstream(mode, ca));
        return new Proxy(new PgmemoServer(more.apply(config)).start());
    }

    /** A proxy of the test's own, shut down by try-with-resources. */
    record Proxy(PgmemoServer server) implements AutoCloseable {
        Connection connect(Properties properties) throws SQLException {
            return PgEnvironment.connect(server.boundAddress().getPort(), properties);
        }

        @Override
        public void close() throws InterruptedException {
            server.shutdown(Duration.ofSeconds(2));
        }
    }

    private static String sqlStateOf(SqlCall call) {
        return SqlCall.sqlStateOf(call);
    }

    private static SQLException failure(SqlCall call) {
        SQLException refused = catchThrowableOfType(SQLException.class, call::run);
        assertThat((Throwable) refused).as("the connection is refused").isNotNull();
        return refused;
    }
}

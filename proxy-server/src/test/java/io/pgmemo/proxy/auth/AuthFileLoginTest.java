package io.pgmemo.proxy.auth;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmemo.protocol.scram.ScramSecret;
import io.pgmemo.proxy.config.CacheOptions;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With --auth-file, pgmemo checks a listed user's SCRAM login itself and logs in upstream with what
 * the client proved, so SCRAM channel binding works with TLS on both legs: the client binds to
 * pgmemo's certificate, pgmemo to the upstream's. The upstream accepts only TLS and asks for
 * scram-sha-256; every login's result is compared with the same login made directly.
 */
@ProxyTest
class AuthFileLoginTest {
    private static final String SQL = "SELECT current_user, n FROM generate_series(1, 3) AS n ORDER BY n";

    @TempDir
    static Path dir;
    private static TlsPostgres upstream;
    private static ServerFiles local;
    private static Path ca;
    private static String verifier;
    private static TlsProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = TlsPostgres.start(dir);
        TestCertificates.LocalFiles files = TestCertificates.writeLocal(dir, "pgmemo auth file test CA");
        ca = files.ca();
        local = files.server();
        try (Connection admin = upstream.connect(props("sslmode", "require"))) {
            verifier = PgEnvironment.storedVerifier(admin, TlsPostgres.SCRAM_USER);
        }
        proxy = start(verifier, CacheOptions.memoryOnly());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void pgmemoComputesTheVerifierPostgresStores() {
        ScramSecret stored = ScramSecret.parse(verifier);

        assertThat(ScramSecret.of(TlsPostgres.SCRAM_PASSWORD, stored.salt(), stored.iterations())).isEqualTo(stored);
    }

    @Test
    void aClientThatRequiresChannelBindingLogsInAndReadsFromTheCache() throws Exception {
        long hitsBefore = proxy.server().queryCache().stats().snapshot().hits();
        try (Connection through = proxy.connect("localhost", scram("require"));
             Connection direct = upstream.connect(scramDirect())) {
            for (int i = 0; i < 3; i++) {
                assertThat(Rows.query(through, SQL)).isEqualTo(Rows.query(direct, SQL));
            }
        }
        assertThat(proxy.server().queryCache().stats().snapshot().hits()).isGreaterThan(hitsBefore);
    }

    @Test
    void aClientAtTheDefaultPreferBindsAndLogsIn() throws Exception {
        assertLogsIn(proxy, scram("prefer"));
    }

    @Test
    void aClientWithoutBindingLogsIn() throws Exception {
        assertLogsIn(proxy, scram("disable"));
    }

    @Test
    void aWrongPasswordIsRefusedByPgmemoAsPostgresWouldRefuseIt() {
        Properties wrong = scram("prefer");
        wrong.setProperty("password", "not-the-password");

        SQLException refused = catchThrowableOfType(SQLException.class,
                () -> proxy.connect("localhost", wrong).close());

        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(refused.getMessage()).contains("password authentication failed for user \""
                + TlsPostgres.SCRAM_USER + "\"");
    }

    @Test
    void aUserNotInTheFileIsRelayed() throws Exception {
        try (Connection through = proxy.connect("localhost", props("sslmode", "verify-full",
                "sslrootcert", ca.toString()))) {
            assertThat(Rows.query(through, "SELECT current_user").strings().get(0))
                    .containsExactly(PgEnvironment.SUPERUSER);
        }
    }

    /** libpq at each channel_binding setting: all three log in, as through PgBouncer. */
    @Test
    void psqlLogsInAtEveryChannelBindingSetting() throws Exception {
        assumeTrue(Psql.available(), "needs " + Psql.PSQL);
        Map<String, String> password = Map.of("PGPASSWORD", TlsPostgres.SCRAM_PASSWORD);
        for (String binding : new String[] {"require", "prefer", "disable"}) {
            Psql.Result result = Psql.run("host=localhost port=" + proxy.port() + " user=" + TlsPostgres.SCRAM_USER
                    + " dbname=" + PgEnvironment.DATABASE + " sslmode=verify-full sslrootcert=" + ca
                    + " channel_binding=" + binding, password, "SELECT current_user");
            assertThat(result.out().trim()).as(binding + ": " + result.err()).isEqualTo(TlsPostgres.SCRAM_USER);
        }
    }

    /** With the password in the file, pgmemo checks the client with a verifier of its own salt. */
    @Test
    void aPasswordEntryLogsInWithTheUpstreamsSalt() throws Exception {
        try (TlsProxy withPassword = start(TlsPostgres.SCRAM_PASSWORD, CacheOptions.DISABLED)) {
            assertLogsIn(withPassword, scram("require"));
            assertLogsIn(withPassword, scram("require"));
        }
    }

    /** A verifier from before the role's password changed: the client gets pgmemo's 28000, and why. */
    @Test
    void aStaleVerifierIsAClearError() throws Exception {
        String stale = ScramSecret.withRandomSalt(TlsPostgres.SCRAM_PASSWORD).encode();
        try (TlsProxy withStale = start(stale, CacheOptions.DISABLED)) {
            SQLException refused = catchThrowableOfType(SQLException.class,
                    () -> withStale.connect("localhost", scram("prefer")).close());

            assertThat(refused.getSQLState()).isEqualTo("28000");
            assertThat(refused.getMessage()).contains("could not log in to the upstream",
                    "is not the one in pgmemo's auth file");
        }
    }

    private static TlsProxy start(String secret, CacheOptions cache) throws Exception {
        Path file = Files.createTempFile(dir, "userlist", ".txt");
        Files.writeString(file, "; users pgmemo authenticates\n\"" + TlsPostgres.SCRAM_USER + "\" \"" + secret
                + "\"\n");
        ProxyConfig config = ProxyConfig.of(new HostPort(PgEnvironment.HOST, 0),
                new HostPort(PgEnvironment.HOST, upstream.port()));
        TlsConfig tls = new TlsConfig(local.certificate(), local.key(), ClientTlsMode.REQUIRE,
                UpstreamTlsMode.VERIFY_FULL, upstream.caFile());
        return new TlsProxy(new PgmemoServer(config.withTls(tls).withCache(cache).withAuthFile(file)).start());
    }

    private static void assertLogsIn(TlsProxy target, Properties properties) throws Exception {
        try (Connection through = target.connect("localhost", properties);
             Connection direct = upstream.connect(scramDirect())) {
            assertThat(Rows.query(through, SQL)).isEqualTo(Rows.query(direct, SQL));
        }
    }

    private static Properties scram(String channelBinding) {
        Properties properties = props("sslmode", "verify-full", "channelBinding", channelBinding);
        properties.setProperty("user", TlsPostgres.SCRAM_USER);
        properties.setProperty("password", TlsPostgres.SCRAM_PASSWORD);
        properties.setProperty("sslrootcert", ca.toString());
        return properties;
    }

    private static Properties scramDirect() {
        Properties properties = props("sslmode", "verify-full", "sslrootcert", upstream.caFile().toString(),
                "channelBinding", "require");
        properties.setProperty("user", TlsPostgres.SCRAM_USER);
        properties.setProperty("password", TlsPostgres.SCRAM_PASSWORD);
        return properties;
    }
}

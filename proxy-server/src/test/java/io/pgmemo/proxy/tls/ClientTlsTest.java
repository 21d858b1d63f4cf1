package io.pgmemo.proxy.tls;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TestCertificates.ServerFiles;
import io.pgmemo.proxy.testing.TlsProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pgjdbc connecting to pgmemo over TLS: sslmode require and verify-full, and what a client must refuse. */
@ProxyTest
class ClientTlsTest {
    private static final String ROWS = "SELECT current_user, n, md5(n::text) FROM generate_series(1, 5) AS n";

    @TempDir
    static Path dir;
    private static Path ca;
    private static ServerFiles local;

    @BeforeAll
    static void issueCertificates() {
        TestCertificates.LocalFiles files = TestCertificates.writeLocal(dir, "pgmemo client-side test CA");
        ca = files.ca();
        local = files.server();
    }

    @ParameterizedTest(name = "sslmode={0} host={1}")
    @CsvSource({"require, 127.0.0.1", "verify-full, localhost", "verify-full, 127.0.0.1"})
    void tlsClientsGetTheSameRowsAsDirect(String sslMode, String host) throws Exception {
        try (TlsProxy proxy = TlsProxy.start(local, ClientTlsMode.ALLOW);
             Connection viaProxy = proxy.connect(host, verifying(sslMode, ca));
             Connection direct = PgEnvironment.get().direct()) {
            assertThat(Rows.query(viaProxy, ROWS)).isEqualTo(Rows.query(direct, ROWS));
        }
    }

    @Test
    void verifyFullWithAnotherCaIsRefusedAndOthersGoOn() throws Exception {
        Path otherCa = TestCertificates.writeCa(dir, "other-ca", TestCertificates.ca("not pgmemo's CA"));
        try (TlsProxy proxy = TlsProxy.start(local, ClientTlsMode.ALLOW)) {
            SQLException refused = refusal(proxy, "localhost", verifying("verify-full", otherCa));

            assertThat((Throwable) refused).hasStackTraceContaining("unable to find valid certification path");
            assertServes(proxy);
        }
    }

    @Test
    void verifyFullWithAnotherHostNameIsRefusedAndOthersGoOn() throws Exception {
        TestCertificates.Issued authority = TestCertificates.ca("mismatch CA");
        Path mismatchCa = TestCertificates.writeCa(dir, "mismatch-ca", authority);
        Instant now = Instant.now();
        ServerFiles elsewhere = TestCertificates.writeServer(dir, "elsewhere", TestCertificates.server(authority,
                List.of("db.elsewhere.invalid"), List.of(), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(1))));
        try (TlsProxy proxy = TlsProxy.start(elsewhere, ClientTlsMode.ALLOW)) {
            SQLException refused = refusal(proxy, "localhost", verifying("verify-full", mismatchCa));

            assertThat((Throwable) refused).hasStackTraceContaining("hostname localhost could not be verified");
            assertServes(proxy);
        }
    }

    @Test
    void anExpiredCertificateIsRefusedByAVerifyingClient() throws Exception {
        TestCertificates.Issued authority = TestCertificates.ca("expiry CA");
        Path expiryCa = TestCertificates.writeCa(dir, "expiry-ca", authority);
        Instant now = Instant.now();
        ServerFiles expired = TestCertificates.writeServer(dir, "expired", TestCertificates.server(authority,
                List.of("localhost"), List.of("127.0.0.1"), now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1))));
        try (TlsProxy proxy = TlsProxy.start(expired, ClientTlsMode.ALLOW)) {
            SQLException refused = refusal(proxy, "localhost", verifying("verify-full", expiryCa));

            assertThat((Throwable) refused).hasStackTraceContaining("validity check failed");
            assertServes(proxy);
        }
    }

    @Test
    void requireRefusesAPlaintextClientAsHostsslOnlyPostgresDoes() throws Exception {
        try (TlsProxy proxy = TlsProxy.start(local, ClientTlsMode.REQUIRE)) {
            SQLException refused = refusal(proxy, "127.0.0.1", props("sslmode", "disable"));

            assertThat(refused.getSQLState()).isEqualTo("28000");
            assertThat(refused.getMessage()).contains("no encryption", "user \"postgres\"");
            try (Connection encrypted = proxy.connect("localhost", verifying("verify-full", ca))) {
                assertThat(Rows.query(encrypted, "SELECT 1").size()).isEqualTo(1);
            }
        }
    }

    @Test
    void disableAnswersNEvenWithACertificate() throws Exception {
        try (TlsProxy proxy = TlsProxy.start(local, ClientTlsMode.DISABLE)) {
            refusal(proxy, "127.0.0.1", props("sslmode", "require"));
            try (Connection plaintext = proxy.connect("127.0.0.1", props("sslmode", "prefer"))) {
                assertThat(Rows.query(plaintext, "SELECT 1").size()).isEqualTo(1);
            }
        }
    }

    static Properties verifying(String sslMode, Path rootCertificate) {
        return props("sslmode", sslMode, "sslrootcert", rootCertificate.toString());
    }

    private static SQLException refusal(TlsProxy proxy, String host, Properties properties) {
        SQLException refused = catchThrowableOfType(SQLException.class, () -> proxy.connect(host, properties).close());
        assertThat((Throwable) refused).as("the connection is refused").isNotNull();
        return refused;
    }

    private static void assertServes(TlsProxy proxy) throws SQLException {
        try (Connection other = proxy.connect("127.0.0.1", props("sslmode", "require"))) {
            assertThat(Rows.query(other, "SELECT 1").size()).isEqualTo(1);
        }
    }
}

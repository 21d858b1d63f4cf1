package io.pgmemo.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Psql;
import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TlsProxy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** psql (libpq) through pgmemo at sslmode require and verify-full; skipped where /usr/bin/psql is missing. */
@ProxyTest
class PsqlTlsTest {
    private static final String ROWS = "SELECT current_user, n, md5(n::text) FROM generate_series(1, 5) AS n";

    @TempDir
    static Path dir;
    private static Path ca;
    private static TlsProxy proxy;

    @BeforeAll
    static void startProxy() throws Exception {
        assumeTrue(Psql.available(), "needs " + Psql.PSQL);
        TestCertificates.LocalFiles files = TestCertificates.writeLocal(dir, "pgmemo psql test CA");
        ca = files.ca();
        proxy = TlsProxy.start(files.server(), ClientTlsMode.REQUIRE);
    }

    @AfterAll
    static void stopProxy() throws InterruptedException {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest(name = "sslmode={0} host={1}")
    @CsvSource({"require, 127.0.0.1", "verify-full, localhost", "verify-full, 127.0.0.1"})
    void psqlGetsTheSameRowsAsDirectOverTls(String sslMode, String host) throws Exception {
        Psql.Result viaProxy = Psql.run(conninfo(host, proxy.port(), sslMode, ca), Map.of(), ROWS, "\\conninfo");
        Psql.Result direct = Psql.run(conninfo("127.0.0.1", PgEnvironment.get().upstreamPort(), "disable", ca),
                Map.of(), ROWS);

        assertThat(viaProxy.exitCode()).as(viaProxy.err()).isZero();
        assertThat(viaProxy.out()).startsWith(direct.out()).contains("SSL connection (protocol: TLSv1.3");
    }

    @Test
    void psqlVerifyFullWithAnotherCaFails() throws Exception {
        Path otherCa = TestCertificates.writeCa(dir, "other-ca", TestCertificates.ca("not pgmemo's CA"));
        Psql.Result refused = Psql.run(conninfo("localhost", proxy.port(), "verify-full", otherCa), Map.of(),
                "SELECT 1");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("certificate verify failed");
    }

    @Test
    void psqlWithoutTlsIsRefusedUnderRequire() throws Exception {
        Psql.Result refused = Psql.run(conninfo("127.0.0.1", proxy.port(), "disable", ca), Map.of(), "SELECT 1");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("pgmemo accepts only TLS connections", "no encryption");
    }

    static String conninfo(String host, int port, String sslMode, Path rootCertificate) {
        return "host=" + host + " port=" + port + " user=" + PgEnvironment.SUPERUSER + " dbname="
                + PgEnvironment.DATABASE + " sslmode=" + sslMode + " sslrootcert=" + rootCertificate;
    }
}

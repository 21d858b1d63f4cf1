package io.pgmemo.proxy.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * An embedded PostgreSQL with ssl=on that accepts only TLS connections (hostssl entries, then a
 * hostnossl reject), for the TLS tests; {@link PgEnvironment}'s shared server stays plaintext.
 * Its certificate is issued by the test's CA for localhost and 127.0.0.1.
 */
public final class TlsPostgres implements AutoCloseable {
    public static final String SCRAM_USER = "tls_scram_user";
    public static final String SCRAM_PASSWORD = "tls-scram-secret";

    private static final String HBA = String.join("\n",
            "local all all trust",
            "hostssl all " + SCRAM_USER + " 127.0.0.1/32 scram-sha-256",
            "hostssl all all 127.0.0.1/32 trust",
            "hostnossl all all 0.0.0.0/0 reject",
            "");

    private final EmbeddedPostgres postgres;
    private final Path caFile;

    private TlsPostgres(EmbeddedPostgres postgres, Path caFile) {
        this.postgres = postgres;
        this.caFile = caFile;
    }

    /** Starts it with a certificate for localhost and 127.0.0.1 from a fresh CA written into {@code dir}. */
    public static TlsPostgres start(Path dir) throws Exception {
        return start(dir, List.of("localhost"), List.of("127.0.0.1"));
    }

    /** Starts it with a certificate for these names only, from a fresh CA; files in a new directory under dir. */
    public static TlsPostgres start(Path dir, List<String> dnsNames, List<String> ipAddresses) throws Exception {
        Path files = Files.createTempDirectory(dir, "upstream");
        TestCertificates.Issued ca = TestCertificates.ca("pgmemo upstream test CA");
        Path caFile = TestCertificates.writeCa(files, "upstream-ca", ca);
        Instant now = Instant.now();
        TestCertificates.ServerFiles server = TestCertificates.writeServer(files, "upstream",
                TestCertificates.server(ca, dnsNames, ipAddresses, now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(30))));
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", server.certificate().toString())
                .setServerConfig("ssl_key_file", server.key().toString())
                .setServerConfig("ssl_ca_file", caFile.toString())
                .start();
        try {
            TlsPostgres started = new TlsPostgres(postgres, caFile);
            started.configure();
            return started;
        } catch (Exception e) {
            postgres.close();
            throw e;
        }
    }

    private void configure() throws Exception {
        try (Connection admin = connect(PgEnvironment.props("sslmode", "require"));
             Statement st = admin.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("CREATE ROLE " + SCRAM_USER + " LOGIN PASSWORD '" + SCRAM_PASSWORD + "'");
            PgEnvironment.replaceHba(st, HBA);
        }
        awaitPlaintextRefused();
    }

    /** pg_reload_conf() only signals the postmaster: wait until a plaintext login is refused. */
    private void awaitPlaintextRefused() throws Exception {
        PgEnvironment.awaitRefusal(() -> connect(PgEnvironment.props("sslmode", "disable")), "28000");
    }

    public int port() {
        return postgres.getPort();
    }

    /** The CA file that verifies this server's certificate. */
    public Path caFile() {
        return caFile;
    }

    /** A direct connection (user postgres unless {@code properties} say otherwise). */
    public Connection connect(Properties properties) throws SQLException {
        Properties all = new Properties();
        all.setProperty("user", PgEnvironment.SUPERUSER);
        all.setProperty("connectTimeout", "10");
        all.setProperty("socketTimeout", "60");
        all.putAll(properties);
        return DriverManager.getConnection(PgEnvironment.jdbcUrl(port()), all);
    }

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}

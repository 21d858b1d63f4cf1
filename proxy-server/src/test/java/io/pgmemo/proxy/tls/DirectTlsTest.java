package io.pgmemo.proxy.tls;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TlsProxy;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL 17's direct TLS negotiation (the handshake first, ALPN "postgresql", no SSLRequest),
 * and what may not happen around the SSLRequest handshake.
 */
@ProxyTest
class DirectTlsTest {
    @TempDir
    static Path dir;
    private static Path ca;
    private static TlsProxy proxy;

    @BeforeAll
    static void startProxy() throws Exception {
        TestCertificates.LocalFiles files = TestCertificates.writeLocal(dir, "pgmemo direct TLS test CA");
        ca = files.ca();
        proxy = TlsProxy.start(files.server(), ClientTlsMode.REQUIRE);
    }

    @AfterAll
    static void stopProxy() throws InterruptedException {
        proxy.close();
    }

    @Test
    void pgjdbcWithSslNegotiationDirect() throws Exception {
        String sql = "SELECT current_user, n FROM generate_series(1, 3) AS n";
        try (Connection direct = proxy.connect("localhost", props("sslmode", "verify-full",
                "sslrootcert", ca.toString(), "sslNegotiation", "direct"));
             Connection upstream = PgEnvironment.get().direct()) {
            assertThat(Rows.query(direct, sql)).isEqualTo(Rows.query(upstream, sql));
        }
    }

    @Test
    void directTlsWithAlpnPostgresqlStartsASession() throws Exception {
        try (SSLSocket socket = directTls("postgresql")) {
            socket.getOutputStream().write(RawPgClient.startupMessage(PgEnvironment.SUPERUSER, PgEnvironment.DATABASE));
            assertThat((char) readMessage(socket.getInputStream()).type()).as("AuthenticationOk").isEqualTo('R');
        }
    }

    @Test
    void directTlsWithoutAlpnIsAProtocolViolation() throws Exception {
        try (SSLSocket socket = directTls(null)) {
            Message error = readMessage(socket.getInputStream());

            assertThat((char) error.type()).isEqualTo('E');
            assertThat(error.text()).contains("C08P01", "without ALPN");
        }
    }

    @Test
    void sslRequestInsideTlsIsAProtocolViolation() throws Exception {
        try (SSLSocket socket = directTls("postgresql")) {
            socket.getOutputStream().write(RawPgClient.request(RawPgClient.SSL_REQUEST_CODE));
            Message error = readMessage(socket.getInputStream());

            assertThat((char) error.type()).isEqualTo('E');
            assertThat(error.text()).contains("C08P01", "already encrypted");
        }
    }

    /** After 'S' only a TLS record may come; plaintext is never read as a StartupMessage. */
    @Test
    void plaintextAfterTheSAnswerIsNotReadAsAStartup() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(RawPgClient.request(RawPgClient.SSL_REQUEST_CODE));
            assertThat((char) socket.getInputStream().read()).isEqualTo('S');

            socket.getOutputStream().write(RawPgClient.startupMessage(PgEnvironment.SUPERUSER, PgEnvironment.DATABASE));
            assertThat(socket.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
        }
    }

    /** A handshaken TLS socket to the proxy, offering ALPN {@code protocol} (none if null). */
    private static SSLSocket directTls(String protocol) throws Exception {
        SSLSocket socket = (SSLSocket) trusting(ca).getSocketFactory().createSocket("localhost", proxy.port());
        socket.setSoTimeout(10_000);
        if (protocol != null) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {protocol});
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        return socket;
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private record Message(int type, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static Message readMessage(InputStream in) throws Exception {
        DataInputStream data = new DataInputStream(in);
        int type = data.readUnsignedByte();
        byte[] body = new byte[data.readInt() - 4];
        data.readFully(body);
        return new Message(type, body);
    }
}

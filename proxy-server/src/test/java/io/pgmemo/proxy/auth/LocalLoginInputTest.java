package io.pgmemo.proxy.auth;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgmemo.protocol.scram.ScramSecret;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The login pgmemo runs itself for users of the auth file, against the plaintext scram/md5 test
 * upstream: bad input gets PostgreSQL's SQLSTATE and a close, and touches no other session; an
 * upstream that asks for what pgmemo cannot give is a clear error.
 */
@ProxyTest
class LocalLoginInputTest {
    private static final String CHECK = "SELECT current_user, 1 + 1";

    @TempDir
    static Path dir;
    private static PgEnvironment env;
    private static PgmemoServer proxy;

    @BeforeAll
    static void start() throws Exception {
        env = PgEnvironment.get();
        String verifier;
        try (Connection admin = env.direct()) {
            verifier = PgEnvironment.storedVerifier(admin, PgEnvironment.SCRAM_USER);
        }
        proxy = withEntries("\"" + PgEnvironment.SCRAM_USER + "\" \"" + verifier + "\"\n\"" + PgEnvironment.MD5_USER
                + "\" \"" + PgEnvironment.MD5_PASSWORD + "\"\n");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        proxy.shutdown(Duration.ofSeconds(2));
    }

    static Stream<Arguments> badLogins() {
        return Stream.of(
                Arguments.of("a Query instead of a SASL response", RawPgClient.query("SELECT 1"), "08P01"),
                Arguments.of("a SASLInitialResponse without its mechanism's end", RawPgClient.message('p',
                        "SCRAM-SHA-256".getBytes(StandardCharsets.US_ASCII)), "08P01"),
                Arguments.of("a data length past the message", RawPgClient.message('p',
                        initialResponse("SCRAM-SHA-256", 99, "n,,n=,r=abc")), "08P01"),
                Arguments.of("-PLUS without TLS", RawPgClient.message('p',
                        initialResponse("SCRAM-SHA-256-PLUS", -1, "p=tls-server-end-point,,n=,r=abc")), "08P01"),
                Arguments.of("an unknown mechanism", RawPgClient.message('p',
                        initialResponse("PLAIN", -1, "\0user\0pw")), "08P01"),
                Arguments.of("an authorization identity", RawPgClient.message('p',
                        initialResponse("SCRAM-SHA-256", -1, "n,a=postgres,n=,r=abc")), "0A000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLogins")
    void badInputDuringTheLoginGetsAnErrorAndAClose(String what, byte[] message, String sqlState) throws Exception {
        try (Connection bystander = PgEnvironment.connect(port(), props("user", PgEnvironment.SCRAM_USER));
             Connection reference = env.direct(props("user", PgEnvironment.SCRAM_USER))) {
            try (RawPgClient client = RawPgClient.connect(port())) {
                client.send(RawPgClient.startupMessage(PgEnvironment.SCRAM_USER, PgEnvironment.DATABASE));
                assertThat(client.readMessage().type()).as("AuthenticationSASL").isEqualTo('R');
                client.send(message);

                assertThat(client.readError().sqlState()).isEqualTo(sqlState);
                assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
            }
            assertThat(Rows.query(bystander, CHECK)).isEqualTo(Rows.query(reference, CHECK));
        }
    }

    @Test
    void theRawClientLogsInThroughPgmemosOwnLogin() throws Exception {
        try (RawPgClient client = RawPgClient.connect(port())) {
            client.startup(PgEnvironment.SCRAM_USER);
            client.send(RawPgClient.query("SELECT 1"));
            client.awaitReadyForQuery();
        }
    }

    @Test
    void aPasswordEntryAnswersAnUpstreamThatAsksForMd5() throws Exception {
        try (Connection through = PgEnvironment.connect(port(), props("user", PgEnvironment.MD5_USER));
             Connection direct = env.direct(props("user", PgEnvironment.MD5_USER))) {
            assertThat(Rows.query(through, CHECK)).isEqualTo(Rows.query(direct, CHECK));
        }
    }

    @Test
    void aVerifierCannotAnswerMd5AndSaysSo() throws Exception {
        String verifier = ScramSecret.withRandomSalt(PgEnvironment.MD5_PASSWORD).encode();
        PgmemoServer verifierOnly = withEntries("\"" + PgEnvironment.MD5_USER + "\" \"" + verifier + "\"\n");
        try {
            SQLException refused = catchThrowableOfType(SQLException.class, () -> PgEnvironment.connect(
                    verifierOnly.boundAddress().getPort(), props("user", PgEnvironment.MD5_USER)).close());

            assertThat(refused.getSQLState()).isEqualTo("28000");
            assertThat(refused.getMessage()).contains("asks for an md5 password");
        } finally {
            verifierOnly.shutdown(Duration.ofSeconds(2));
        }
    }

    private static byte[] initialResponse(String mechanism, int declaredLength, String data) {
        byte[] name = (mechanism + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
        int length = declaredLength == -1 ? bytes.length : declaredLength;
        return ByteBuffer.allocate(name.length + 4 + bytes.length).put(name).putInt(length).put(bytes).array();
    }

    private static PgmemoServer withEntries(String entries) throws Exception {
        Path file = Files.createTempFile(dir, "userlist", ".txt");
        Files.writeString(file, entries);
        return env.startProxy(config -> config.withAuthFile(file));
    }

    private static int port() {
        return proxy.boundAddress().getPort();
    }
}

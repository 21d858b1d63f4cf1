package io.pgmemo.proxy.it;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.RawPgClient.Message;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SSLRequest and GSSENCRequest are declined with 'N'; bytes pipelined behind them are refused (CVE-2021-23214). */
@ProxyTest
class StartupNegotiationTest {
    private static final String SESSION_FACTS = "SELECT current_user, current_database(),"
            + " (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl";

    private final PgEnvironment env = PgEnvironment.get();

    static Stream<Arguments> encryptionRequests() {
        return Stream.of(
                arguments(named("SSLRequest", RawPgClient.SSL_REQUEST_CODE)),
                arguments(named("GSSENCRequest", RawPgClient.GSSENC_REQUEST_CODE)));
    }

    @ParameterizedTest
    @MethodSource("encryptionRequests")
    void encryptionRequestIsAnsweredNAndPlaintextStartupFollows(int code) throws Exception {
        try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
            client.send(RawPgClient.request(code));

            assertThat(client.readByte()).isEqualTo('N');
            // The client goes on in plaintext on the same connection.
            client.startup(PgEnvironment.SUPERUSER);
            client.send(RawPgClient.query("SELECT 1"));
            client.awaitReadyForQuery();
        }
    }

    @ParameterizedTest
    @MethodSource("encryptionRequests")
    void bothEncryptionRequestsInARowAreEachAnsweredN(int first) throws Exception {
        int second = first == RawPgClient.SSL_REQUEST_CODE ? RawPgClient.GSSENC_REQUEST_CODE : RawPgClient.SSL_REQUEST_CODE;
        try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
            client.send(RawPgClient.request(first));
            assertThat(client.readByte()).isEqualTo('N');
            client.send(RawPgClient.request(second));
            assertThat(client.readByte()).isEqualTo('N');
            client.startup(PgEnvironment.SUPERUSER);
        }
    }

    /** pgjdbc with each sslmode behaves as directly: prefer and allow fall back to plaintext, require fails. */
    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"disable", "allow", "prefer"})
    void pgjdbcFallsBackToPlaintext(String sslMode) throws Exception {
        try (Connection proxied = env.viaProxy(props("sslmode", sslMode));
             Connection direct = env.direct(props("sslmode", sslMode))) {
            Rows viaProxy = Rows.query(proxied, SESSION_FACTS);
            assertThat(viaProxy).isEqualTo(Rows.query(direct, SESSION_FACTS));
            assertThat(viaProxy.strings().get(0).get(2)).isEqualTo("f");
        }
    }

    @ParameterizedTest(name = "sslmode={0}")
    @ValueSource(strings = {"require", "verify-full"})
    void pgjdbcRequiringSslFailsAsDirectly(String sslMode) {
        String direct = SqlCall.sqlStateOf(() -> env.direct(props("sslmode", sslMode)).close());
        String proxied = SqlCall.sqlStateOf(() -> env.viaProxy(props("sslmode", sslMode)).close());

        assertThat(proxied).isEqualTo(direct);
    }

    /** CVE-2021-23214: a StartupMessage in the same write as the SSLRequest was not protected by TLS. */
    @ParameterizedTest
    @MethodSource("encryptionRequests")
    void startupPipelinedBehindEncryptionRequestIsAProtocolViolation(int code) throws Exception {
        byte[] attack = RawPgClient.concat(RawPgClient.request(code),
                RawPgClient.startupMessage(PgEnvironment.SUPERUSER, PgEnvironment.DATABASE));

        Message proxied = pipelinedAnswer(env.proxyPort(), attack);
        Message direct = pipelinedAnswer(env.upstreamPort(), attack);

        assertThat(proxied.sqlState()).isEqualTo(direct.sqlState()).isEqualTo("08P01");
    }

    /** Sends {@code bytes} in one write; returns the ErrorResponse (after an optional 'N') and checks the close. */
    private static Message pipelinedAnswer(int port, byte[] bytes) throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.send(bytes);
            int first = client.readByte();
            if (first == 'N') {
                first = client.readByte();
            }
            assertThat((char) first).as("first message type").isEqualTo('E');
            Message error = client.readMessage((char) first);
            assertThat(client.isClosedByPeer()).as("connection closed after the error").isTrue();
            return error;
        }
    }

    /**
     * A client asking for protocol 3.2 with an unknown {@code _pq_} option: PostgreSQL 14 answers
     * NegotiateProtocolVersion and goes on in 3.0. The proxy relays that exchange unchanged.
     */
    @Test
    void newerMinorProtocolVersionIsNegotiatedByTheUpstream() throws Exception {
        byte[] startup = RawPgClient.startupMessage(RawPgClient.PROTOCOL_3_0 + 2, "user", PgEnvironment.TRUST_USER,
                "database", PgEnvironment.DATABASE, "_pq_.pgmemo_probe", "on");

        List<String> viaProxy = startupExchange(env.proxyPort(), startup);
        List<String> direct = startupExchange(env.upstreamPort(), startup);

        assertThat(viaProxy).isEqualTo(direct).first().asString().startsWith("v");
    }

    /** Message types up to ReadyForQuery; NegotiateProtocolVersion with its body, as hex. */
    private static List<String> startupExchange(int port, byte[] startup) throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.send(startup);
            List<String> exchange = new ArrayList<>();
            Message message;
            do {
                message = client.readMessage();
                exchange.add(message.type() == 'v'
                        ? "v" + HexFormat.of().formatHex(message.body()) : String.valueOf(message.type()));
            } while (message.type() != 'Z' && message.type() != 'E');
            return exchange;
        }
    }
}

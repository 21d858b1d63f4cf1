package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.RawPgClient.Message;
import io.pgmemo.proxy.testing.Rows;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Broken client input ends that one session with 08P01 and never disturbs the others. */
@ProxyTest
class MalformedInputTest {
    private static final String CHECK = "SELECT current_user, 'still working' AS status, 6 * 7 AS answer";

    private final PgEnvironment env = PgEnvironment.get();

    static Stream<Arguments> badFrames() {
        return Stream.of(
                arguments(named("Query with length 2", header('Q', 2))),
                arguments(named("garbage type with length 2", header((char) 0x7f, 2))),
                arguments(named("length 0", header('P', 0))),
                arguments(named("negative length", header('B', -1))));
    }

    private static byte[] header(char type, int length) {
        return ByteBuffer.allocate(5).put((byte) type).putInt(length).array();
    }

    @ParameterizedTest
    @MethodSource("badFrames")
    void invalidFrameAfterStartupGets08P01AndClose(byte[] frame) throws Exception {
        try (Connection bystander = env.viaProxy(); Connection reference = env.direct()) {
            try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
                client.startup(PgEnvironment.SUPERUSER);
                client.send(frame);

                assertThat(client.readError().sqlState()).isEqualTo("08P01");
                assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
            }
            assertThat(Rows.query(bystander, CHECK)).isEqualTo(Rows.query(reference, CHECK));
        }
    }

    /**
     * withMaxMessageBytes counts the whole message, type byte included: a Query of exactly that size
     * is relayed (and answered as directly), one byte more is refused from its declared length
     * alone, without waiting for (or buffering) the body.
     */
    @Test
    void messageLargerThanTheConfiguredMaximumGets08P01AndClose() throws Exception {
        int limit = 1_000_000;
        PgmemoServer small = env.startProxy(config -> config.withMaxMessageBytes(limit));
        try {
            int port = small.boundAddress().getPort();
            byte[] largest = queryOfTotalSize(limit);
            assertThat(answers(port, largest)).isEqualTo(answers(env.upstreamPort(), largest));

            try (RawPgClient client = RawPgClient.connect(port)) {
                client.startup(PgEnvironment.SUPERUSER);
                client.send(RawPgClient.concat(header('Q', limit), "SELECT 1".getBytes()));

                assertThat(client.readError().sqlState()).isEqualTo("08P01");
                assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
            }
            try (RawPgClient client = RawPgClient.connect(port)) {
                client.startup(PgEnvironment.SUPERUSER);
                client.send(RawPgClient.concat(header('Q', 2_000_000), "SELECT 1".getBytes()));

                assertThat(client.readError().sqlState()).isEqualTo("08P01");
                assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
            }
        } finally {
            small.shutdown(Duration.ofSeconds(2));
        }
    }

    /** A Query message of exactly {@code total} bytes on the wire. */
    private static byte[] queryOfTotalSize(int total) {
        String prefix = "SELECT length('";
        String suffix = "') AS n";
        int padding = total - 5 - 1 - prefix.length() - suffix.length();
        byte[] query = RawPgClient.query(prefix + "y".repeat(padding) + suffix);
        assertThat(query).hasSize(total);
        return query;
    }

    private static List<String> answers(int port, byte[] query) throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.startup(PgEnvironment.SUPERUSER);
            client.send(query);
            List<String> messages = new ArrayList<>();
            Message message;
            do {
                message = client.readMessage();
                messages.add(message.type() + HexFormat.of().formatHex(message.body()));
            } while (message.type() != 'Z');
            return messages;
        }
    }

    static Stream<Arguments> badStartupLengths() {
        return Stream.of(
                arguments(named("100000 bytes", 100_000)),
                arguments(named("just over PostgreSQL's 10000", 10_001)),
                arguments(named("shorter than its own header", 3)));
    }

    @ParameterizedTest
    @MethodSource("badStartupLengths")
    void startupPacketWithBadLengthGets08P01AndClose(int length) throws Exception {
        try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
            client.send(ByteBuffer.allocate(8).putInt(length).putInt(RawPgClient.PROTOCOL_3_0).array());

            assertThat(client.readError().sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
        }
        try (Connection proxied = env.viaProxy(); Connection direct = env.direct()) {
            assertThat(Rows.query(proxied, CHECK)).isEqualTo(Rows.query(direct, CHECK));
        }
    }

    /** A type byte the proxy does not know is the upstream's business: same error as sent directly. */
    @Test
    void unknownMessageTypeIsForwardedAndTheUpstreamAnswers() throws Exception {
        byte[] unknown = RawPgClient.message('z', new byte[] {1, 2, 3});

        Message viaProxy = answerTo(env.proxyPort(), unknown);
        Message direct = answerTo(env.upstreamPort(), unknown);

        assertThat(viaProxy.sqlState()).isEqualTo(direct.sqlState()).isEqualTo("08P01");
        assertThat(viaProxy.fields().get('M')).isEqualTo(direct.fields().get('M'))
                .contains(String.valueOf((int) 'z'));
    }

    private static Message answerTo(int port, byte[] bytes) throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            client.startup(PgEnvironment.SUPERUSER);
            client.send(bytes);
            Message error = client.readError();
            assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
            return error;
        }
    }

    /** Bytes that are no startup packet at all (an HTTP request) get 08P01, not a hang. */
    @Test
    void nonPostgresClientGets08P01() throws Exception {
        try (RawPgClient client = RawPgClient.connect(env.proxyPort())) {
            client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes());

            assertThat(client.readError().sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer()).as("closed after the error").isTrue();
        }
    }
}

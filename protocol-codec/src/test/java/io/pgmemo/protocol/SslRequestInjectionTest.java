package io.pgmemo.protocol;

import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.FrontendDecoder.State;
import io.pgmemo.protocol.startup.GssEncRequest;
import io.pgmemo.protocol.startup.SslRequest;
import io.pgmemo.protocol.startup.StartupMessage;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CVE-2021-23214: bytes that arrive behind an SSLRequest or GSSENCRequest, before the proxy has
 * answered it, were sent in clear and could have been injected by a man in the middle. They must
 * never be read as the next packet.
 */
@ExtendWith(LeakDetectionExtension.class)
class SslRequestInjectionTest {

    static final byte[] SSL_REQUEST = bytes(int32(8), int32(80877103));
    static final byte[] GSSENC_REQUEST = bytes(int32(8), int32(80877104));
    static final byte[] STARTUP = bytes(int32(18), int32(196608), "user\0bob\0", "\0");
    static final StartupMessage STARTUP_MESSAGE = new StartupMessage(196608, Map.of("user", "bob"));

    static Stream<Arguments> injected() {
        return Stream.of(
                arguments(named("SSLRequest, then a StartupMessage", bytes(SSL_REQUEST, STARTUP)),
                        "received unencrypted data after SSL request"),
                arguments(named("SSLRequest, then a single byte", bytes(SSL_REQUEST, "Q")),
                        "received unencrypted data after SSL request"),
                arguments(named("SSLRequest, then another SSLRequest", bytes(SSL_REQUEST, SSL_REQUEST)),
                        "received unencrypted data after SSL request"),
                arguments(named("GSSENCRequest, then a StartupMessage", bytes(GSSENC_REQUEST, STARTUP)),
                        "received unencrypted data after SSL request"),
                arguments(named("GSSENCRequest, then a typed Query", bytes(GSSENC_REQUEST, 'Q', int32(13), "SELECT 1\0")),
                        "received unencrypted data after SSL request"));
    }

    @ParameterizedTest(name = "{0}, in one read")
    @MethodSource("injected")
    void refusesDataBehindAnEncryptionRequest(byte[] read, String message) {
        FrontendDecoder decoder = new FrontendDecoder(1 << 20);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            assertThat(protocolViolation(() -> inbound.write(read))).hasMessage(message);
            assertThat(decoder.state()).isEqualTo(State.DONE);
            inbound.write(STARTUP);
            assertThat(inbound.received()).as("nothing, not even the request itself").isEmpty();
        } finally {
            inbound.close();
        }
    }

    /** The request's last byte and the next packet's first byte share a read: still data behind the request. */
    @Test
    void refusesDataBehindAFragmentedRequest() {
        byte[] stream = bytes(SSL_REQUEST, STARTUP);
        FrontendDecoder decoder = new FrontendDecoder(1 << 20);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            inbound.writeInChunks(Arrays.copyOf(stream, 7), 1);
            assertThat(protocolViolation(() -> inbound.write(Arrays.copyOfRange(stream, 7, 9))))
                    .hasMessage("received unencrypted data after SSL request");
            assertThat(decoder.state()).isEqualTo(State.DONE);
            assertThat(inbound.received()).isEmpty();
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> answeredThenContinued() {
        return Stream.of(
                arguments(named("SSLRequest", SSL_REQUEST), SslRequest.INSTANCE),
                arguments(named("GSSENCRequest", GSSENC_REQUEST), GssEncRequest.INSTANCE));
    }

    /** What a well-behaved client does: send the request, wait for the answer ('N'), then continue. */
    @ParameterizedTest(name = "{0} alone, StartupMessage in a later read")
    @MethodSource("answeredThenContinued")
    void decodesAStartupMessageSentAfterTheAnswer(byte[] request, Object decodedRequest) {
        FrontendDecoder decoder = new FrontendDecoder(1 << 20);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            inbound.write(request);
            assertThat(inbound.observed()).containsExactly(decodedRequest);
            assertThat(decoder.state()).isEqualTo(State.STARTUP);
            inbound.write(STARTUP);
            assertThat(inbound.observed()).containsExactly(decodedRequest, STARTUP_MESSAGE);
            assertThat(decoder.state()).isEqualTo(State.AUTHENTICATING);
        } finally {
            inbound.close();
        }
    }

    /** libpq with gssencmode=prefer and sslmode=prefer: GSSENCRequest refused, then SSLRequest, then startup. */
    @Test
    void decodesEachRequestInItsOwnReadAndFragmented() {
        Inbound inbound = new Inbound(new EmbeddedChannel(new FrontendDecoder(1 << 20)));
        try {
            inbound.writeInChunks(GSSENC_REQUEST, 3).writeInChunks(SSL_REQUEST, 1).writeInChunks(STARTUP, 5);
            assertThat(inbound.observed()).containsExactly(GssEncRequest.INSTANCE, SslRequest.INSTANCE, STARTUP_MESSAGE);
        } finally {
            inbound.close();
        }
    }
}

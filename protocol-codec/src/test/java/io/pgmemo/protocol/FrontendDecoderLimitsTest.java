package io.pgmemo.protocol;

import static io.pgmemo.protocol.Inbound.frameHex;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.filled;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.FrontendDecoder.State;
import io.pgmemo.protocol.startup.CancelRequest;
import io.pgmemo.protocol.startup.SslRequest;
import io.pgmemo.protocol.startup.StartupMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The hard, state-dependent limits that keep an unauthenticated client from making the proxy buffer much. */
@ExtendWith(LeakDetectionExtension.class)
class FrontendDecoderLimitsTest {

    static final int MAX_MESSAGE = 100_000;
    static final byte[] STARTUP = bytes(int32(18), int32(196608), "user\0bob\0", "\0");
    static final StartupMessage STARTUP_MESSAGE = new StartupMessage(196608, Map.of("user", "bob"));

    static Stream<Arguments> invalidStartupLengths() {
        return Stream.of(
                arguments(named("0", 0)), arguments(named("7, one short of length and code", 7)),
                arguments(named("10001, one over PostgreSQL's MAX_STARTUP_PACKET_LENGTH", 10_001)),
                arguments(named("Int32 max", Integer.MAX_VALUE)), arguments(named("-1", -1)));
    }

    /** The length word alone is enough to refuse: the decoder does not wait for the bytes it announces. */
    @ParameterizedTest(name = "length {0}")
    @MethodSource("invalidStartupLengths")
    void refusesStartupPacketLengthAndDiscardsWhatFollows(int length) {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            assertThat(protocolViolation(() -> inbound.write(int32(length))))
                    .hasMessage("invalid length of startup packet");
            assertThat(decoder.state()).isEqualTo(State.DONE);
            inbound.write(bytes(int32(196608), "user\0bob\0\0")).write(STARTUP);
            assertThat(inbound.received()).isEmpty();
            assertThat(decoder.state()).isEqualTo(State.DONE);
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> boundaryStartupPackets() {
        return Stream.of(
                arguments(named("8 bytes: SSLRequest", bytes(int32(8), int32(80877103))), SslRequest.INSTANCE),
                arguments(named("10000 bytes: StartupMessage with a long options value",
                        bytes(int32(10_000), int32(196608), "user\0bob\0", "options\0", filled(9_973, 'o'), "\0", "\0")),
                        new StartupMessage(196608, Map.of("user", "bob", "options", "o".repeat(9_973)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundaryStartupPackets")
    void acceptsStartupPacketsAtTheLengthBounds(byte[] packet, Object expected) {
        assertThat(packet.length).as("test packet length").isIn(8, 10_000);
        Inbound inbound = new Inbound(new EmbeddedChannel(new FrontendDecoder(MAX_MESSAGE))).write(packet);
        try {
            assertThat(inbound.observed()).containsExactly(expected);
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> malformedStartupPackets() {
        return Stream.of(
                arguments(named("StartupMessage without user", bytes(int32(18), int32(196608), "options\0\0", "\0")),
                        "no PostgreSQL user name specified in startup packet"),
                arguments(named("protocol 2.0", bytes(int32(18), int32(0x0002_0000), "user\0bob\0", "\0")),
                        "unsupported frontend protocol 2.0: server supports 3.0 to 3.2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedStartupPackets")
    void refusesMalformedStartupPacket(byte[] packet, String message) {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            assertThat(protocolViolation(() -> inbound.write(packet))).hasMessage(message);
            assertThat(decoder.state()).isEqualTo(State.DONE);
            assertThat(inbound.received()).isEmpty();
        } finally {
            inbound.close();
        }
    }

    /** A typed frame of the given total size on the wire (type byte, length word, body). */
    static byte[] frame(char type, int totalSize) {
        return bytes(type, int32(totalSize - 1), filled(totalSize - 5, 'x'));
    }

    static Stream<Arguments> acceptedFrames() {
        int auth = FrontendDecoder.MAX_AUTH_MESSAGE;
        return Stream.of(
                arguments(named("authenticating: password message of MAX_AUTH_MESSAGE bytes", false), frame('p', auth)),
                arguments(named("ready: query one byte over MAX_AUTH_MESSAGE", true), frame('Q', auth + 1)),
                arguments(named("ready: query of exactly the configured maximum", true), frame('Q', MAX_MESSAGE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedFrames")
    void acceptsFramesUpToTheLimitOfItsState(boolean authenticated, byte[] frame) {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder)).write(STARTUP);
        try {
            if (authenticated) {
                decoder.authenticated();
            }
            inbound.write(frame);
            assertThat(inbound.observed()).containsExactly(STARTUP_MESSAGE, frameHex(frame));
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> refusedFrameHeaders() {
        int auth = FrontendDecoder.MAX_AUTH_MESSAGE;
        return Stream.of(
                arguments(named("authenticating: one byte over MAX_AUTH_MESSAGE", false), bytes('p', int32(auth)),
                        "message of type 'p' too large: 65540 bytes, limit 65539"),
                arguments(named("authenticating: a query of the configured maximum", false), bytes('Q', int32(MAX_MESSAGE - 1)),
                        "message of type 'Q' too large: 99999 bytes, limit 65539"),
                arguments(named("ready: one byte over the configured maximum", true), bytes('Q', int32(MAX_MESSAGE)),
                        "message of type 'Q' too large: 100000 bytes, limit 99999"),
                arguments(named("ready: Int32 max", true), bytes('d', int32(Integer.MAX_VALUE)),
                        "message of type 'd' too large: 2147483647 bytes, limit 99999"),
                arguments(named("authenticating: length 3", false), bytes('p', int32(3)), "invalid message length 3"),
                arguments(named("authenticating: length 0", false), bytes('p', int32(0)), "invalid message length 0"),
                arguments(named("ready: length 3", true), bytes('Q', int32(3)), "invalid message length 3"),
                arguments(named("ready: length -1", true), bytes('Q', int32(-1)), "invalid message length -1"),
                arguments(named("ready: length Int32 min", true), bytes('Q', int32(Integer.MIN_VALUE)),
                        "invalid message length -2147483648"));
    }

    /** Five header bytes are enough to refuse: nothing of the announced body is awaited or buffered. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedFrameHeaders")
    void refusesFrameLengthsOutsideTheLimitOfItsState(boolean authenticated, byte[] header, String message) {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder)).write(STARTUP);
        try {
            if (authenticated) {
                decoder.authenticated();
            }
            assertThat(protocolViolation(() -> inbound.write(header))).hasMessage(message);
            assertThat(decoder.state()).isEqualTo(State.DONE);
            inbound.write(bytes('Q', int32(13), "SELECT 1\0"));
            assertThat(inbound.observed()).as("only the startup packet, nothing after the refusal")
                    .containsExactly(STARTUP_MESSAGE);
        } finally {
            inbound.close();
        }
    }

    @Test
    void movesThroughItsStates() {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            assertThat(decoder.state()).isEqualTo(State.STARTUP);
            decoder.authenticated();
            assertThat(decoder.state()).as("authenticated() before the startup packet").isEqualTo(State.STARTUP);
            inbound.write(STARTUP);
            assertThat(decoder.state()).isEqualTo(State.AUTHENTICATING);
            decoder.authenticated();
            assertThat(decoder.state()).isEqualTo(State.READY);
        } finally {
            inbound.close();
        }
    }

    @Test
    void cancelRequestEndsDecodingAndDiscardsWhatFollows() {
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            inbound.write(bytes(int32(16), int32(80877102), int32(99), int32(0x01020304), STARTUP));
            inbound.write(bytes('Q', int32(13), "SELECT 1\0"));
            assertThat(inbound.observed()).containsExactly(new CancelRequest(99, new byte[] {1, 2, 3, 4}));
            assertThat(decoder.state()).isEqualTo(State.DONE);
        } finally {
            inbound.close();
        }
    }

    @Test
    void refusesAConfiguredMaximumBelowTheAuthenticationLimit() {
        assertThatThrownBy(() -> new FrontendDecoder(FrontendDecoder.MAX_AUTH_MESSAGE - 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new FrontendDecoder(FrontendDecoder.MAX_AUTH_MESSAGE).state()).isEqualTo(State.STARTUP);
    }

    /**
     * What a handler after the decoder gets in exceptionCaught: ProtocolViolationException is itself a
     * DecoderException, so Netty passes it on as it is, not wrapped in another DecoderException.
     */
    @Test
    void pipelineSeesTheViolationItselfInExceptionCaught() {
        List<Throwable> caught = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new FrontendDecoder(MAX_MESSAGE), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                caught.add(cause);
            }
        });
        Inbound inbound = new Inbound(channel).write(int32(7));
        try {
            assertThat(caught).hasSize(1);
            assertThat(caught.get(0))
                    .isExactlyInstanceOf(ProtocolViolationException.class)
                    .hasMessage("invalid length of startup packet")
                    .hasNoCause();
        } finally {
            inbound.close();
        }
    }
}

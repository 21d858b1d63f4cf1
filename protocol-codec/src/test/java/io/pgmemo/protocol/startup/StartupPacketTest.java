package io.pgmemo.protocol.startup;

import static io.pgmemo.protocol.WireBytes.buffer;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.encoded;
import static io.pgmemo.protocol.WireBytes.filled;
import static io.pgmemo.protocol.WireBytes.hex;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static io.pgmemo.protocol.WireBytes.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.LeakDetectionExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Startup-phase packets against golden bytes from the protocol docs ("Message Formats"). */
@ExtendWith(LeakDetectionExtension.class)
class StartupPacketTest {

    /** Protocol version words: major in the high 16 bits, minor in the low 16. */
    static final int V3_0 = 196608;
    static final int V3_2 = 196610;
    /** 1234 and 5679 / 5680 / 5678 in the two halves, as the docs define them. */
    static final int SSL_CODE = 80877103;
    static final int GSSENC_CODE = 80877104;
    static final int CANCEL_CODE = 80877102;

    static Stream<Arguments> packets() {
        return Stream.of(
                arguments(named("StartupMessage 3.0, four parameters",
                        new StartupMessage(V3_0, params("user", "alice", "database", "shop",
                                "application_name", "psql", "client_encoding", "UTF8"))),
                        bytes(int32(77), int32(V3_0), "user\0alice\0", "database\0shop\0",
                                "application_name\0psql\0", "client_encoding\0UTF8\0", "\0")),
                arguments(named("StartupMessage 3.2, user only",
                        new StartupMessage(V3_2, params("user", "bob"))),
                        bytes(int32(18), int32(V3_2), "user\0bob\0", "\0")),
                arguments(named("StartupMessage with an empty value and a _pq_ option",
                        new StartupMessage(V3_0, params("user", "u", "options", "", "_pq_.x", "1"))),
                        bytes(int32(34), int32(V3_0), "user\0u\0", "options\0\0", "_pq_.x\0" + "1\0", "\0")),
                arguments(named("SSLRequest", SslRequest.INSTANCE),
                        bytes(int32(8), int32(SSL_CODE))),
                arguments(named("GSSENCRequest", GssEncRequest.INSTANCE),
                        bytes(int32(8), int32(GSSENC_CODE))),
                arguments(named("CancelRequest, 4-byte key (3.0)",
                        new CancelRequest(12345, raw(0xDE, 0xAD, 0xBE, 0xEF))),
                        bytes(int32(16), int32(CANCEL_CODE), int32(12345), raw(0xDE, 0xAD, 0xBE, 0xEF))),
                arguments(named("CancelRequest, 32-byte key (3.2)",
                        new CancelRequest(-7, filled(32, 'k'))),
                        bytes(int32(44), int32(CANCEL_CODE), int32(-7), filled(32, 'k'))),
                arguments(named("CancelRequest, 256-byte key (3.2 maximum)",
                        new CancelRequest(1, filled(256, 'x'))),
                        bytes(int32(268), int32(CANCEL_CODE), int32(1), filled(256, 'x'))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void encodesToGoldenBytes(StartupPacket packet, byte[] golden) {
        assertThat(hex(encoded(packet::encode))).isEqualTo(hex(golden));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void decodesGoldenBytes(StartupPacket packet, byte[] golden) {
        StartupPacket decoded = decode(golden);
        assertThat(decoded).isEqualTo(packet);
        if (packet instanceof StartupMessage message) {
            assertThat(List.copyOf(((StartupMessage) decoded).parameters().keySet()))
                    .as("parameter order").containsExactlyElementsOf(message.parameters().keySet());
        }
    }

    static Stream<Arguments> userAndDatabase() {
        return Stream.of(
                arguments(named("database given", bytes(int32(34), int32(V3_0), "user\0alice\0", "database\0shop\0", "\0")),
                        "alice", "shop"),
                arguments(named("database defaults to the user", bytes(int32(18), int32(V3_0), "user\0bob\0", "\0")),
                        "bob", "bob"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("userAndDatabase")
    void exposesUserAndDatabase(byte[] golden, String user, String database) {
        StartupMessage message = (StartupMessage) decode(golden);
        assertThat(message.user()).isEqualTo(user);
        assertThat(message.database()).isEqualTo(database);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments(named("StartupMessage without user", bytes(int32(23), int32(V3_0), "database\0shop\0", "\0")),
                        "no PostgreSQL user name specified in startup packet"),
                arguments(named("StartupMessage without any parameter", bytes(int32(9), int32(V3_0), "\0")),
                        "no PostgreSQL user name specified in startup packet"),
                arguments(named("protocol 2.0", bytes(int32(18), int32(0x0002_0000), "user\0bob\0", "\0")),
                        "unsupported frontend protocol 2.0: server supports 3.0 to 3.2"),
                arguments(named("protocol 4.0", bytes(int32(18), int32(0x0004_0000), "user\0bob\0", "\0")),
                        "unsupported frontend protocol 4.0: server supports 3.0 to 3.2"),
                arguments(named("StartupMessage without terminator", bytes(int32(17), int32(V3_0), "user\0bob\0")),
                        "StartupMessage without terminator"),
                arguments(named("StartupMessage with an unterminated value", bytes(int32(16), int32(V3_0), "user\0bob")),
                        "unterminated string in message"),
                arguments(named("StartupMessage with bytes after the terminator",
                        bytes(int32(19), int32(V3_0), "user\0bob\0", "\0", "x")),
                        "malformed StartupMessage message: 1 trailing bytes"),
                arguments(named("SSLRequest with a body", bytes(int32(12), int32(SSL_CODE), int32(0))),
                        "malformed SSLRequest message: 4 trailing bytes"),
                arguments(named("GSSENCRequest with a body", bytes(int32(9), int32(GSSENC_CODE), "x")),
                        "malformed GSSENCRequest message: 1 trailing bytes"),
                arguments(named("CancelRequest without a key", bytes(int32(12), int32(CANCEL_CODE), int32(12345))),
                        "invalid length of CancelRequest"),
                arguments(named("CancelRequest with a 257-byte key",
                        bytes(int32(269), int32(CANCEL_CODE), int32(1), filled(257, 'k'))),
                        "invalid length of CancelRequest"),
                arguments(named("length word larger than the packet", bytes(int32(20), int32(SSL_CODE))),
                        "startup packet length mismatch"),
                arguments(named("length word smaller than the packet", bytes(int32(8), int32(V3_0), "user\0bob\0\0")),
                        "startup packet length mismatch"),
                arguments(named("only a length word", bytes(int32(4))),
                        "invalid length of startup packet"),
                arguments(named("length word cut short", raw(0, 0)),
                        "invalid length of startup packet"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedPackets(byte[] packet, String message) {
        assertThat(protocolViolation(() -> decode(packet))).hasMessage(message);
    }

    /** StartupPacket.decode on a leak-tracked buffer: the whole packet is consumed, the buffer released. */
    static StartupPacket decode(byte[] golden) {
        return withBuffer(golden, in -> {
            StartupPacket packet = StartupPacket.decode(in);
            assertThat(in.readableBytes()).as("bytes left after decoding").isZero();
            return packet;
        });
    }

    static <T> T withBuffer(byte[] bytes, Function<ByteBuf, T> use) {
        ByteBuf in = buffer(bytes);
        try {
            return use.apply(in);
        } finally {
            in.release();
            assertThat(in.refCnt()).isZero();
        }
    }

    static Map<String, String> params(String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return params;
    }
}

package io.pgmemo.protocol.frontend;

import static io.pgmemo.protocol.WireBytes.buffer;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.encoded;
import static io.pgmemo.protocol.WireBytes.hex;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBufUtil;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.LeakDetectionExtension;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Typed frontend messages against golden bytes from the protocol docs ("Message Formats"). */
@ExtendWith(LeakDetectionExtension.class)
class FrontendMessageTest {

    static final short TEXT = 0;
    static final short BINARY = 1;

    static Stream<Arguments> messages() {
        return Stream.of(
                arguments(named("Query", new Query("SELECT 1")),
                        bytes('Q', int32(13), "SELECT 1\0")),
                arguments(named("Query, empty string", new Query("")),
                        bytes('Q', int32(5), "\0")),
                arguments(named("Query, non-ASCII text is UTF-8", new Query("SELECT 'ü'")),
                        bytes('Q', int32(16), "SELECT '", raw(0xC3, 0xBC), "'\0")),
                arguments(named("Parse, unnamed statement, no parameter types", new Parse("", "SELECT 1", new int[0])),
                        bytes('P', int32(16), "\0", "SELECT 1\0", int16(0))),
                arguments(named("Parse, named statement with parameter types",
                        new Parse("s1", "SELECT $1, $2", new int[] {23, 25})),
                        bytes('P', int32(31), "s1\0", "SELECT $1, $2\0", int16(2), int32(23), int32(25))),
                arguments(named("Parse, unspecified (0) and high OIDs",
                        new Parse("s", "SELECT $1, $2", new int[] {0, 0xFFFF_FFFE})),
                        bytes('P', int32(30), "s\0", "SELECT $1, $2\0", int16(2), int32(0), raw(0xFF, 0xFF, 0xFF, 0xFE))),
                arguments(named("Bind, no parameters, no result formats",
                        new Bind("", "", new short[0], List.of(), new short[0])),
                        bytes('B', int32(12), "\0", "\0", int16(0), int16(0), int16(0))),
                arguments(named("Bind, text parameters: a value and a NULL",
                        new Bind("", "s1", new short[0], Arrays.asList(bytes("42"), null), new short[0])),
                        bytes('B', int32(24), "\0", "s1\0", int16(0), int16(2), int32(2), "42", int32(-1), int16(0))),
                arguments(named("Bind, all binary, one binary value, result formats text and binary",
                        new Bind("p1", "s2", new short[] {BINARY}, List.of(raw(0, 0, 0, 42)), new short[] {TEXT, BINARY})),
                        bytes('B', int32(30), "p1\0", "s2\0", int16(1), int16(1), int16(1), int32(4), raw(0, 0, 0, 42),
                                int16(2), int16(0), int16(1))),
                arguments(named("Bind, per-parameter formats, empty value is not NULL",
                        new Bind("", "", new short[] {TEXT, BINARY, TEXT},
                                Arrays.asList(bytes("abc"), null, new byte[0]), new short[] {BINARY})),
                        bytes('B', int32(35), "\0", "\0", int16(3), int16(0), int16(1), int16(0),
                                int16(3), int32(3), "abc", int32(-1), int32(0), int16(1), int16(1))),
                arguments(named("Describe statement", new Describe(TargetKind.STATEMENT, "s1")),
                        bytes('D', int32(8), 'S', "s1\0")),
                arguments(named("Describe unnamed portal", new Describe(TargetKind.PORTAL, "")),
                        bytes('D', int32(6), 'P', "\0")),
                arguments(named("Close statement", new Close(TargetKind.STATEMENT, "s1")),
                        bytes('C', int32(8), 'S', "s1\0")),
                arguments(named("Close portal", new Close(TargetKind.PORTAL, "p1")),
                        bytes('C', int32(8), 'P', "p1\0")),
                arguments(named("Execute unnamed portal, no row limit", new Execute("", 0)),
                        bytes('E', int32(9), "\0", int32(0))),
                arguments(named("Execute named portal, 100 rows", new Execute("p1", 100)),
                        bytes('E', int32(11), "p1\0", int32(100))),
                arguments(named("Sync", Sync.INSTANCE), bytes('S', int32(4))),
                arguments(named("Flush", Flush.INSTANCE), bytes('H', int32(4))),
                arguments(named("Terminate", Terminate.INSTANCE), bytes('X', int32(4))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodesToGoldenBytes(FrontendMessage message, byte[] golden) {
        assertThat(hex(encoded(message::encode))).isEqualTo(hex(golden));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodesGoldenBytes(FrontendMessage message, byte[] golden) {
        assertThat(decode(golden)).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void frameOfGoldenBytesReportsTypeAndLength(FrontendMessage message, byte[] golden) {
        Frame frame = new Frame(buffer(golden));
        try {
            assertThat(frame.type()).isEqualTo(golden[0]);
            assertThat(frame.frontendType()).isNotEqualTo(FrontendType.UNKNOWN);
            assertThat(frame.frontendType().code()).isEqualTo(golden[0]);
            assertThat(frame.length()).isEqualTo(golden.length);
            assertThat(hex(ByteBufUtil.getBytes(frame.body())))
                    .isEqualTo(hex(Arrays.copyOfRange(golden, 5, golden.length)));
        } finally {
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();
    }

    static Stream<Arguments> opaque() {
        return Stream.of(
                arguments(named("PasswordMessage 'p'", bytes('p', int32(11), "secret\0")), FrontendType.PASSWORD),
                arguments(named("CopyData 'd'", bytes('d', int32(7), "a\tb")), FrontendType.COPY_DATA),
                arguments(named("CopyDone 'c'", bytes('c', int32(4))), FrontendType.COPY_DONE),
                arguments(named("FunctionCall 'F'", bytes('F', int32(12), int32(1234), int16(0), int16(0))),
                        FrontendType.FUNCTION_CALL),
                arguments(named("unknown type 'z'", bytes('z', int32(6), "??")), FrontendType.UNKNOWN),
                arguments(named("unknown type 0xFF", bytes(raw(0xFF), int32(4))), FrontendType.UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opaque")
    void leavesTypesItDoesNotInterceptOpaque(byte[] golden, FrontendType type) {
        Frame frame = new Frame(buffer(golden));
        try {
            assertThat(frame.frontendType()).isEqualTo(type);
            assertThat(FrontendMessage.decode(frame)).isNull();
            assertThat(hex(ByteBufUtil.getBytes(frame.content()))).isEqualTo(hex(golden));
        } finally {
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();
    }

    static Stream<Arguments> messagesWithArrays() {
        return messages().filter(arguments -> {
            Object message = ((Named<?>) arguments.get()[0]).getPayload();
            return message instanceof Parse parse && parse.parameterTypes().length > 0
                    || message instanceof Bind bind && bind.parameterFormats().length > 0
                    && bind.resultFormats().length > 0;
        });
    }

    /** Arrays handed out are copies: a caller writing into them does not change what goes on the wire. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("messagesWithArrays")
    void callerCannotChangeTheBytesThroughReturnedArrays(FrontendMessage message, byte[] golden) {
        if (message instanceof Parse parse) {
            parse.parameterTypes()[0] = 99;
        } else if (message instanceof Bind bind) {
            bind.parameterFormats()[0] = 99;
            bind.resultFormats()[0] = 99;
        }
        assertThat(hex(encoded(message::encode))).isEqualTo(hex(golden));
    }

    /** Decodes a typed view of a frame over the golden bytes; the frame itself must stay forwardable as it was. */
    static FrontendMessage decode(byte[] golden) {
        assertThat(ByteBuffer.wrap(golden, 1, 4).getInt()).as("length word of the test's bytes")
                .isEqualTo(golden.length - 1);
        Frame frame = new Frame(buffer(golden));
        try {
            FrontendMessage message = FrontendMessage.decode(frame);
            assertThat(hex(ByteBufUtil.getBytes(frame.content()))).as("frame after decoding").isEqualTo(hex(golden));
            return message;
        } finally {
            frame.release();
            assertThat(frame.refCnt()).isZero();
        }
    }
}

package io.pgmemo.protocol.frontend;

import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.LeakDetectionExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames whose length word is right but whose body breaks the message's format: decoding the
 * typed view refuses them (the decoder already cut the frame, so the stream itself is intact).
 */
@ExtendWith(LeakDetectionExtension.class)
class FrontendMalformedTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments(named("Query without NUL", bytes('Q', int32(12), "SELECT 1")),
                        "unterminated string in message"),
                arguments(named("Query with bytes after the NUL", bytes('Q', int32(14), "SELECT 1\0", "x")),
                        "malformed Query message: 1 trailing bytes"),
                arguments(named("Parse with more parameter types than counted",
                        bytes('P', int32(20), "\0", "SELECT 1\0", int16(0), int32(23))),
                        "malformed Parse message: bad parameter type count"),
                arguments(named("Parse with fewer parameter types than counted",
                        bytes('P', int32(20), "\0", "SELECT 1\0", int16(2), int32(23))),
                        "malformed Parse message: bad parameter type count"),
                arguments(named("Parse without the count", bytes('P', int32(14), "\0", "SELECT 1\0")),
                        "malformed Parse message"),
                arguments(named("Parse with an unterminated query", bytes('P', int32(13), "\0", "SELECT 1")),
                        "unterminated string in message"),
                arguments(named("Bind with a parameter length past the end",
                        bytes('B', int32(18), "\0", "\0", int16(0), int16(1), int32(10), "42", int16(0))),
                        "malformed Bind message: bad parameter length"),
                arguments(named("Bind with a negative parameter length other than -1",
                        bytes('B', int32(16), "\0", "\0", int16(0), int16(1), int32(-2), int16(0))),
                        "malformed Bind message: bad parameter length"),
                arguments(named("Bind with more parameters counted than present",
                        bytes('B', int32(16), "\0", "\0", int16(0), int16(2), int32(0), int16(0))),
                        "malformed Bind message"),
                arguments(named("Bind with more formats counted than present",
                        bytes('B', int32(12), "\0", "\0", int16(3), int16(0), int16(0))),
                        "malformed Bind message: bad format count"),
                arguments(named("Bind without result formats",
                        bytes('B', int32(10), "\0", "\0", int16(0), int16(0))),
                        "malformed Bind message"),
                arguments(named("Bind with bytes after the result formats",
                        bytes('B', int32(13), "\0", "\0", int16(0), int16(0), int16(0), "x")),
                        "malformed Bind message: 1 trailing bytes"),
                arguments(named("Bind with an unterminated statement name", bytes('B', int32(7), "\0", "s1")),
                        "unterminated string in message"),
                arguments(named("Describe with an unknown target 'X'", bytes('D', int32(8), 'X', "s1\0")),
                        "invalid Describe message subtype 88"),
                arguments(named("Describe with an empty body", bytes('D', int32(4))),
                        "malformed Describe message"),
                arguments(named("Describe without NUL", bytes('D', int32(7), 'S', "s1")),
                        "unterminated string in message"),
                arguments(named("Close with an unknown target 'Q'", bytes('C', int32(6), 'Q', "\0")),
                        "invalid Close message subtype 81"),
                arguments(named("Close with bytes after the name", bytes('C', int32(7), 'P', "\0", "x")),
                        "malformed Close message: 1 trailing bytes"),
                arguments(named("Execute without the row limit", bytes('E', int32(5), "\0")),
                        "malformed Execute message"),
                arguments(named("Execute with bytes after the row limit", bytes('E', int32(10), "\0", int32(0), "x")),
                        "malformed Execute message"),
                arguments(named("Sync with a body", bytes('S', int32(5), "x")),
                        "malformed Sync message: 1 trailing bytes"),
                arguments(named("Flush with a body", bytes('H', int32(6), "xy")),
                        "malformed Flush message: 2 trailing bytes"),
                arguments(named("Terminate with a body", bytes('X', int32(5), "\0")),
                        "malformed Terminate message: 1 trailing bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedBody(byte[] frame, String message) {
        assertThat(protocolViolation(() -> FrontendMessageTest.decode(frame))).hasMessage(message);
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> malformedBinds() {
        return malformed().filter(args -> ((Named<byte[]>) args.get()[0]).getPayload()[0] == 'B');
    }

    /** What a forwarded Bind is read with refuses what decoding it refuses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBinds")
    void bindTargetRefusesWhatDecodeRefuses(byte[] frame, String message) {
        ByteBuf body = Unpooled.wrappedBuffer(frame, Frame.HEADER_LENGTH, frame.length - Frame.HEADER_LENGTH);
        assertThat(protocolViolation(() -> Bind.target(body))).hasMessage(message);
    }

    @Test
    void bindTargetNamesWhatDecodeNames() {
        ByteBuf whole = Unpooled.buffer();
        Bind bind = new Bind("portal1", "stmt1", new short[] {0, 1},
                List.of("42".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 0, 0, 7}), new short[] {1});
        bind.encode(whole);
        try {
            Bind.Target target = Bind.target(whole.slice(Frame.HEADER_LENGTH, whole.readableBytes() - Frame.HEADER_LENGTH));
            assertThat(target).isEqualTo(new Bind.Target(bind.portal(), bind.statement()));
        } finally {
            whole.release();
        }
    }
}

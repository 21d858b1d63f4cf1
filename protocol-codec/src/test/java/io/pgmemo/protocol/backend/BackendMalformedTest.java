package io.pgmemo.protocol.backend;

import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.filled;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.protocol.LeakDetectionExtension;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backend frames whose length word is right but whose body breaks the message's format. */
@ExtendWith(LeakDetectionExtension.class)
class BackendMalformedTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments(named("CommandComplete without NUL", bytes('C', int32(12), "SELECT 3")),
                        "unterminated string in message"),
                arguments(named("CommandComplete with bytes after the NUL", bytes('C', int32(14), "SELECT 3\0", "x")),
                        "malformed CommandComplete message: 1 trailing bytes"),
                arguments(named("ErrorResponse without terminator",
                        bytes('E', int32(21), 'S', "FATAL\0", 'C', "08P01\0", 'M', "m\0")),
                        "ErrorResponse without terminator"),
                arguments(named("ErrorResponse with an empty body", bytes('E', int32(4))),
                        "ErrorResponse without terminator"),
                arguments(named("ErrorResponse with an unterminated field", bytes('E', int32(10), 'S', "FATAL")),
                        "unterminated string in message"),
                arguments(named("ErrorResponse with bytes after the terminator", bytes('E', int32(13), 'S', "FATAL\0", "\0", "x")),
                        "malformed ErrorResponse message: 1 trailing bytes"),
                arguments(named("ReadyForQuery with an unknown status", bytes('Z', int32(5), 'X')),
                        "invalid transaction status 'X'"),
                arguments(named("ReadyForQuery without status", bytes('Z', int32(4))),
                        "malformed ReadyForQuery message"),
                arguments(named("ReadyForQuery with two status bytes", bytes('Z', int32(6), "II")),
                        "malformed ReadyForQuery message"),
                arguments(named("Authentication without its code", bytes('R', int32(6), int16(0))),
                        "malformed Authentication message"),
                arguments(named("BackendKeyData without key", bytes('K', int32(8), int32(4242))),
                        "malformed BackendKeyData message"),
                arguments(named("BackendKeyData with a 257-byte key", bytes('K', int32(265), int32(1), filled(257, 'k'))),
                        "malformed BackendKeyData message"),
                arguments(named("ParameterStatus without value", bytes('S', int32(13), "TimeZone\0")),
                        "unterminated string in message"),
                arguments(named("ParameterStatus with bytes after the value", bytes('S', int32(11), "a\0", "b\0", "xyz")),
                        "malformed ParameterStatus message: 3 trailing bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedBody(byte[] frame, String message) {
        assertThat(protocolViolation(() -> BackendMessageTest.decode(frame))).hasMessage(message);
    }
}

package io.pgmemo.protocol.backend;

import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.encoded;
import static io.pgmemo.protocol.WireBytes.hex;
import static io.pgmemo.protocol.WireBytes.int32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.protocol.LeakDetectionExtension;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy's own errors: named factories, their SQLSTATEs (Appendix A) and bytes, and the builder's rules. */
@ExtendWith(LeakDetectionExtension.class)
class ErrorResponseTest {

    static Stream<Arguments> factories() {
        return Stream.of(
                arguments(named("protocolViolation",
                        (Supplier<ErrorResponse>) () -> ErrorResponse.protocolViolation("invalid message length")),
                        "08P01", "invalid message length",
                        bytes('E', int32(50), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "08P01\0",
                                'M', "invalid message length\0", "\0")),
                arguments(named("cannotConnect",
                        (Supplier<ErrorResponse>) () -> ErrorResponse.cannotConnect("could not connect to upstream")),
                        "08001", "could not connect to upstream",
                        bytes('E', int32(57), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "08001\0",
                                'M', "could not connect to upstream\0", "\0")),
                arguments(named("upstreamUnavailable",
                        (Supplier<ErrorResponse>) () -> ErrorResponse.upstreamUnavailable("upstream connection lost")),
                        "08006", "upstream connection lost",
                        bytes('E', int32(52), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "08006\0",
                                'M', "upstream connection lost\0", "\0")),
                arguments(named("tooLarge",
                        (Supplier<ErrorResponse>) () -> ErrorResponse.tooLarge("message too large")),
                        "54000", "message too large",
                        bytes('E', int32(45), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "54000\0",
                                'M', "message too large\0", "\0")),
                arguments(named("shuttingDown", (Supplier<ErrorResponse>) ErrorResponse::shuttingDown),
                        "57P01", "terminating connection due to administrator command",
                        bytes('E', int32(79), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "57P01\0",
                                'M', "terminating connection due to administrator command\0", "\0")),
                arguments(named("cannotConnectNow",
                        (Supplier<ErrorResponse>) () -> ErrorResponse.cannotConnectNow("the database system is starting up")),
                        "57P03", "the database system is starting up",
                        bytes('E', int32(62), 'S', "FATAL\0", 'V', "FATAL\0", 'C', "57P03\0",
                                'M', "the database system is starting up\0", "\0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void factoryCarriesSeveritySqlStateAndMessage(Supplier<ErrorResponse> factory, String sqlState, String message,
                                                  byte[] golden) {
        ErrorResponse error = factory.get();
        assertThat(error.severity()).isEqualTo("FATAL");
        assertThat(error.code()).isEqualTo(sqlState);
        assertThat(error.message()).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void factoryEncodesToGoldenBytes(Supplier<ErrorResponse> factory, String sqlState, String message, byte[] golden) {
        assertThat(hex(encoded(factory.get()::encode))).isEqualTo(hex(golden));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void goldenBytesDecodeToTheFactoryResult(Supplier<ErrorResponse> factory, String sqlState, String message,
                                             byte[] golden) {
        assertThat(BackendMessageTest.decode(golden)).isEqualTo(factory.get());
    }

    /** An error as PostgreSQL 17 sends it: more fields than the proxy writes, in the server's order. */
    static final byte[] SERVER_ERROR = bytes('E', int32(93),
            'S', "ERROR\0", 'V', "ERROR\0", 'C', "42601\0", 'M', "syntax error at or near \"SELEC\"\0",
            'P', "1\0", 'F', "scan.l\0", 'L', "1244\0", 'R', "scanner_yyerror\0", "\0");

    @Test
    void decodesEveryFieldOfAServerErrorInOrder() {
        ErrorResponse error = (ErrorResponse) BackendMessageTest.decode(SERVER_ERROR);
        assertThat(error.severity()).isEqualTo("ERROR");
        assertThat(error.code()).isEqualTo("42601");
        assertThat(error.message()).isEqualTo("syntax error at or near \"SELEC\"");
        assertThat(List.copyOf(error.fields().keySet())).containsExactly('S', 'V', 'C', 'M', 'P', 'F', 'L', 'R');
        assertThat(error.fields()).containsEntry('R', "scanner_yyerror");
        assertThat(hex(encoded(error::encode))).as("re-encoded").isEqualTo(hex(SERVER_ERROR));
    }

    static Stream<Arguments> incompleteBuilders() {
        return Stream.of(
                arguments(named("without severity",
                        (ThrowingCallable) () -> ErrorResponse.builder().code("08P01").message("m").build()),
                        IllegalStateException.class, "ErrorResponse needs field 'S'"),
                arguments(named("without SQLSTATE",
                        (ThrowingCallable) () -> ErrorResponse.builder().severity("FATAL").message("m").build()),
                        IllegalStateException.class, "ErrorResponse needs field 'C'"),
                arguments(named("without message",
                        (ThrowingCallable) () -> ErrorResponse.builder().severity("FATAL").code("08P01").build()),
                        IllegalStateException.class, "ErrorResponse needs field 'M'"),
                arguments(named("with nothing", (ThrowingCallable) () -> ErrorResponse.builder().build()),
                        IllegalStateException.class, "ErrorResponse needs field 'S'"),
                arguments(named("with a 4-character SQLSTATE", (ThrowingCallable) () -> ErrorResponse.builder().code("08P0")),
                        IllegalArgumentException.class, "SQLSTATE must have 5 characters: 08P0"),
                arguments(named("with a 6-character SQLSTATE", (ThrowingCallable) () -> ErrorResponse.builder().code("08P011")),
                        IllegalArgumentException.class, "SQLSTATE must have 5 characters: 08P011"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("incompleteBuilders")
    void builderRefusesIncompleteErrors(ThrowingCallable build, Class<? extends Throwable> type, String message) {
        assertThatThrownBy(build).isExactlyInstanceOf(type).hasMessage(message);
    }
}

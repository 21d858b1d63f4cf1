package io.pgmemo.protocol.backend;

import static io.pgmemo.protocol.WireBytes.buffer;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.encoded;
import static io.pgmemo.protocol.WireBytes.filled;
import static io.pgmemo.protocol.WireBytes.hex;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBufUtil;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.LeakDetectionExtension;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Typed backend messages against golden bytes from the protocol docs ("Message Formats"). */
@ExtendWith(LeakDetectionExtension.class)
class BackendMessageTest {

    static Stream<Arguments> messages() {
        return Stream.of(
                arguments(named("AuthenticationOk", new Authentication(0, new byte[0])),
                        bytes('R', int32(8), int32(0))),
                arguments(named("AuthenticationCleartextPassword", new Authentication(3, new byte[0])),
                        bytes('R', int32(8), int32(3))),
                arguments(named("AuthenticationMD5Password with salt", new Authentication(5, raw(0x01, 0x9A, 0x00, 0xFF))),
                        bytes('R', int32(12), int32(5), raw(0x01, 0x9A, 0x00, 0xFF))),
                arguments(named("AuthenticationSASL with two mechanisms",
                        new Authentication(10, bytes("SCRAM-SHA-256\0", "SCRAM-SHA-256-PLUS\0", "\0"))),
                        bytes('R', int32(42), int32(10), "SCRAM-SHA-256\0", "SCRAM-SHA-256-PLUS\0", "\0")),
                arguments(named("AuthenticationSASLContinue", new Authentication(11, bytes("r=abc,s=xyz,i=4096"))),
                        bytes('R', int32(26), int32(11), "r=abc,s=xyz,i=4096")),
                arguments(named("AuthenticationSASLFinal", new Authentication(12, bytes("v=c2lnbmF0dXJl"))),
                        bytes('R', int32(22), int32(12), "v=c2lnbmF0dXJl")),
                arguments(named("BackendKeyData, 4-byte key (3.0)", new BackendKeyData(4242, raw(0xCA, 0xFE, 0xBA, 0xBE))),
                        bytes('K', int32(12), int32(4242), raw(0xCA, 0xFE, 0xBA, 0xBE))),
                arguments(named("BackendKeyData, 32-byte key (3.2)", new BackendKeyData(77, filled(32, 's'))),
                        bytes('K', int32(40), int32(77), filled(32, 's'))),
                arguments(named("CommandComplete SELECT", new CommandComplete("SELECT 3")),
                        bytes('C', int32(13), "SELECT 3\0")),
                arguments(named("CommandComplete INSERT", new CommandComplete("INSERT 0 1")),
                        bytes('C', int32(15), "INSERT 0 1\0")),
                arguments(named("ParameterStatus", new ParameterStatus("server_version", "17.2")),
                        bytes('S', int32(24), "server_version\0", "17.2\0")),
                arguments(named("ParameterStatus, empty value", new ParameterStatus("application_name", "")),
                        bytes('S', int32(22), "application_name\0", "\0")),
                arguments(named("ReadyForQuery idle", new ReadyForQuery(TransactionStatus.IDLE)),
                        bytes('Z', int32(5), 'I')),
                arguments(named("ReadyForQuery in transaction", new ReadyForQuery(TransactionStatus.IN_TRANSACTION)),
                        bytes('Z', int32(5), 'T')),
                arguments(named("ReadyForQuery in failed transaction", new ReadyForQuery(TransactionStatus.FAILED)),
                        bytes('Z', int32(5), 'E')),
                arguments(named("ErrorResponse built with detail and hint",
                        ErrorResponse.builder().severity("ERROR").code("42P01")
                                .message("relation \"t\" does not exist").detail("d").hint("h").build()),
                        bytes('E', int32(61), 'S', "ERROR\0", 'V', "ERROR\0", 'C', "42P01\0",
                                'M', "relation \"t\" does not exist\0", 'D', "d\0", 'H', "h\0", "\0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodesToGoldenBytes(BackendMessage message, byte[] golden) {
        assertThat(hex(encoded(message::encode))).isEqualTo(hex(golden));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodesGoldenBytes(BackendMessage message, byte[] golden) {
        assertThat(decode(golden)).isEqualTo(message);
    }

    static Stream<Arguments> authenticationOutcomes() {
        return Stream.of(
                arguments(named("AuthenticationOk", bytes('R', int32(8), int32(0))), true),
                arguments(named("AuthenticationMD5Password", bytes('R', int32(12), int32(5), raw(1, 2, 3, 4))), false),
                arguments(named("AuthenticationSASLFinal", bytes('R', int32(9), int32(12), "v")), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authenticationOutcomes")
    void tellsWhenAuthenticationSucceeded(byte[] golden, boolean ok) {
        assertThat(((Authentication) decode(golden)).isOk()).isEqualTo(ok);
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                arguments(named("idle", bytes('Z', int32(5), 'I')), TransactionStatus.IDLE),
                arguments(named("in transaction", bytes('Z', int32(5), 'T')), TransactionStatus.IN_TRANSACTION),
                arguments(named("failed", bytes('Z', int32(5), 'E')), TransactionStatus.FAILED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statuses")
    void readsTransactionStatusWithoutDecoding(byte[] golden, TransactionStatus status) {
        Frame frame = new Frame(buffer(golden));
        try {
            assertThat(ReadyForQuery.statusOf(frame.body())).isEqualTo(status);
        } finally {
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();
    }

    static Stream<Arguments> opaque() {
        return Stream.of(
                arguments(named("RowDescription 'T'", bytes('T', int32(33), int16(1), "?column?\0",
                        int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0))), BackendType.ROW_DESCRIPTION),
                arguments(named("DataRow 'D'", bytes('D', int32(11), int16(1), int32(1), "1")), BackendType.DATA_ROW),
                arguments(named("NoticeResponse 'N'", bytes('N', int32(11), 'S', "NOTICE\0", "\0")),
                        BackendType.NOTICE_RESPONSE),
                arguments(named("CopyData 'd'", bytes('d', int32(7), "a\tb")), BackendType.COPY_DATA),
                arguments(named("ParseComplete '1'", bytes('1', int32(4))), BackendType.PARSE_COMPLETE),
                arguments(named("unknown type 'z'", bytes('z', int32(4))), BackendType.UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("opaque")
    void leavesTypesItDoesNotInterceptOpaque(byte[] golden, BackendType type) {
        Frame frame = new Frame(buffer(golden));
        try {
            assertThat(frame.backendType()).isEqualTo(type);
            assertThat(BackendMessage.decode(frame)).isNull();
            assertThat(hex(ByteBufUtil.getBytes(frame.content()))).isEqualTo(hex(golden));
        } finally {
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();
    }

    /** Decodes a typed view of a frame over the golden bytes; the frame itself must stay forwardable as it was. */
    static BackendMessage decode(byte[] golden) {
        assertThat(ByteBuffer.wrap(golden, 1, 4).getInt()).as("length word of the test's bytes")
                .isEqualTo(golden.length - 1);
        Frame frame = new Frame(buffer(golden));
        try {
            BackendMessage message = BackendMessage.decode(frame);
            assertThat(hex(ByteBufUtil.getBytes(frame.content()))).as("frame after decoding").isEqualTo(hex(golden));
            return message;
        } finally {
            frame.release();
            assertThat(frame.refCnt()).isZero();
        }
    }
}

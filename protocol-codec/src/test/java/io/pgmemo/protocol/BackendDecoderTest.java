package io.pgmemo.protocol;

import static io.pgmemo.protocol.Inbound.frameHex;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static io.pgmemo.protocol.WireBytes.protocolViolation;
import static io.pgmemo.protocol.WireBytes.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.backend.BackendKeyData;
import io.pgmemo.protocol.backend.BackendMessage;
import io.pgmemo.protocol.backend.CommandComplete;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.backend.ParameterStatus;
import io.pgmemo.protocol.backend.ReadyForQuery;
import io.pgmemo.protocol.backend.TransactionStatus;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** BackendDecoder cutting the upstream's stream into typed frames. */
@ExtendWith(LeakDetectionExtension.class)
class BackendDecoderTest {

    /** One message of a server's stream: its bytes, and what the proxy reads from them (null = opaque frame). */
    record Message(String name, byte[] wire, BackendMessage meaning) {
    }

    /** A server's answer to a connection and a simple query, with an opaque type the proxy does not know. */
    static final List<Message> MESSAGES = List.of(
            new Message("AuthenticationOk", bytes('R', int32(8), int32(0)), new Authentication(0, new byte[0])),
            new Message("ParameterStatus", bytes('S', int32(25), "client_encoding\0", "UTF8\0"),
                    new ParameterStatus("client_encoding", "UTF8")),
            new Message("BackendKeyData", bytes('K', int32(12), int32(4242), raw(0xCA, 0xFE, 0xBA, 0xBE)),
                    new BackendKeyData(4242, raw(0xCA, 0xFE, 0xBA, 0xBE))),
            new Message("ReadyForQuery idle", bytes('Z', int32(5), 'I'), new ReadyForQuery(TransactionStatus.IDLE)),
            new Message("RowDescription", bytes('T', int32(33), int16(1), "?column?\0", int32(0), int16(0), int32(23),
                    int16(4), int32(-1), int16(0)), null),
            new Message("DataRow", bytes('D', int32(11), int16(1), int32(1), "1"), null),
            new Message("CommandComplete", bytes('C', int32(13), "SELECT 1\0"), new CommandComplete("SELECT 1")),
            new Message("unknown 'z'", bytes('z', int32(4)), null),
            new Message("CopyData", bytes('d', int32(6), "ab"), null),
            new Message("ErrorResponse", bytes('E', int32(22), 'S', "ERROR\0", 'C', "57014\0", 'M', "c\0", "\0"),
                    new ErrorResponse(Map.of('S', "ERROR", 'C', "57014", 'M', "c"))),
            new Message("ReadyForQuery failed", bytes('Z', int32(5), 'E'), new ReadyForQuery(TransactionStatus.FAILED)));

    static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MESSAGES.forEach(message -> out.writeBytes(message.wire()));
        return out.toByteArray();
    }

    static List<Object> expected() {
        return MESSAGES.stream().map(message -> (Object) frameHex(message.wire())).toList();
    }

    static Stream<Arguments> chunkSizes() {
        int length = stream().length;
        return IntStream.iterate(length, size -> size >= 1, size -> size - 1)
                .mapToObj(size -> arguments(named(size == length ? "whole stream in one read" : "reads of " + size + " bytes",
                        size)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkSizes")
    void decodesTheSameSequenceInFragmentsOfEverySize(int chunkSize) {
        Inbound inbound = new Inbound(new EmbeddedChannel(new BackendDecoder()));
        try {
            inbound.writeInChunks(stream(), chunkSize);
            assertThat(inbound.observed()).containsExactlyElementsOf(expected());
        } finally {
            inbound.close();
        }
    }

    @Test
    void framesKeepTheirTypeAndDecodeToTheirMeaning() {
        Inbound inbound = new Inbound(new EmbeddedChannel(new BackendDecoder())).write(stream());
        try {
            List<Object> received = inbound.received();
            assertThat(received).hasSize(MESSAGES.size());
            for (int i = 0; i < MESSAGES.size(); i++) {
                Message message = MESSAGES.get(i);
                Frame frame = (Frame) received.get(i);
                assertThat(frame.type()).as(message.name()).isEqualTo(message.wire()[0]);
                assertThat(frame.length()).as(message.name()).isEqualTo(message.wire().length);
                assertThat(BackendMessage.decode(frame)).as(message.name()).isEqualTo(message.meaning());
            }
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> invalidLengths() {
        return Stream.of(
                arguments(named("3", 3)), arguments(named("0", 0)), arguments(named("-1", -1)),
                arguments(named("Int32 min", Integer.MIN_VALUE)),
                arguments(named("one over MaxAllocSize plus the length word", 0x3FFF_FFFF + 5)),
                arguments(named("Int32 max", Integer.MAX_VALUE)));
    }

    /** Frames before the bad header come out; the bad header is refused at once, with nothing of it emitted. */
    @ParameterizedTest(name = "length {0}")
    @MethodSource("invalidLengths")
    void refusesInvalidLengths(int length) {
        byte[] ready = bytes('Z', int32(5), 'I');
        Inbound inbound = new Inbound(new EmbeddedChannel(new BackendDecoder()));
        try {
            assertThat(protocolViolation(() -> inbound.write(bytes(ready, 'D', int32(length), "more bytes"))))
                    .hasMessage("invalid message length " + length + " from server");
            assertThat(inbound.observed()).containsExactly(frameHex(ready));
        } finally {
            inbound.close();
        }
    }

    /** The largest legal header is not refused: the decoder waits for its body. */
    @Test
    void waitsForTheBodyOfTheLargestLegalMessage() {
        Inbound inbound = new Inbound(new EmbeddedChannel(new BackendDecoder()));
        try {
            inbound.write(bytes('D', int32(0x3FFF_FFFF + 4), "start of a huge row"));
            assertThat(inbound.received()).isEmpty();
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> truncated() {
        return MESSAGES.stream().map(message -> arguments(named(message.name(), message.wire())));
    }

    /** Every proper prefix of a message produces nothing, and closing the channel frees what was buffered. */
    @ParameterizedTest(name = "{0} cut short")
    @MethodSource("truncated")
    void partialMessageProducesNothingAndLeaksNothing(byte[] wire) {
        for (int cut = 1; cut < wire.length; cut++) {
            Inbound inbound = new Inbound(new EmbeddedChannel(new BackendDecoder()));
            try {
                inbound.write(Arrays.copyOf(wire, cut));
                assertThat(inbound.received()).as("after %d of %d bytes", cut, wire.length).isEmpty();
            } finally {
                inbound.close();
            }
        }
    }
}

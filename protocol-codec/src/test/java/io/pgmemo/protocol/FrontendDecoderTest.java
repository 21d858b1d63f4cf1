package io.pgmemo.protocol;

import static io.pgmemo.protocol.Inbound.frameHex;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.int16;
import static io.pgmemo.protocol.WireBytes.int32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.protocol.frontend.Sync;
import io.pgmemo.protocol.frontend.TargetKind;
import io.pgmemo.protocol.frontend.Terminate;
import io.pgmemo.protocol.startup.StartupMessage;
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

/** FrontendDecoder cutting a client's stream into a startup packet and then typed frames. */
@ExtendWith(LeakDetectionExtension.class)
class FrontendDecoderTest {

    static final int MAX_MESSAGE = 1 << 20;

    /** One message of a client's stream: its bytes, and what the proxy reads from them (null = opaque frame). */
    record Message(String name, byte[] wire, Object meaning) {
    }

    static final Message STARTUP = new Message("StartupMessage",
            bytes(int32(34), int32(196608), "user\0alice\0", "database\0shop\0", "\0"),
            new StartupMessage(196608, Map.of("user", "alice", "database", "shop")));

    /** What a client sends after the startup packet: password, simple and extended query, copy, an unknown type. */
    static final List<Message> FRAMES = List.of(
            new Message("PasswordMessage", bytes('p', int32(11), "secret\0"), null),
            new Message("Query", bytes('Q', int32(13), "SELECT 1\0"), new Query("SELECT 1")),
            new Message("Parse", bytes('P', int32(23), "s1\0", "SELECT $1\0", int16(1), int32(23)),
                    new Parse("s1", "SELECT $1", new int[] {23})),
            new Message("Bind", bytes('B', int32(24), "\0", "s1\0", int16(1), int16(0), int16(1), int32(2), "42",
                    int16(1), int16(1)),
                    new Bind("", "s1", new short[] {0}, List.<byte[]>of(bytes("42")), new short[] {1})),
            new Message("Describe", bytes('D', int32(6), 'P', "\0"), new Describe(TargetKind.PORTAL, "")),
            new Message("Execute", bytes('E', int32(9), "\0", int32(0)), new Execute("", 0)),
            new Message("CopyData", bytes('d', int32(7), "abc"), null),
            new Message("unknown 'z'", bytes('z', int32(6), "??"), null),
            new Message("empty unknown 'y'", bytes('y', int32(4)), null),
            new Message("Sync", bytes('S', int32(4)), Sync.INSTANCE),
            new Message("Terminate", bytes('X', int32(4)), Terminate.INSTANCE));

    static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(STARTUP.wire());
        FRAMES.forEach(message -> out.writeBytes(message.wire()));
        return out.toByteArray();
    }

    static List<Object> expected() {
        return Stream.concat(Stream.of(STARTUP.meaning()), FRAMES.stream().map(m -> frameHex(m.wire()))).toList();
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
        FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
        Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
        try {
            inbound.writeInChunks(stream(), chunkSize);
            assertThat(inbound.observed()).containsExactlyElementsOf(expected());
            assertThat(decoder.state()).isEqualTo(FrontendDecoder.State.AUTHENTICATING);
        } finally {
            inbound.close();
        }
    }

    @Test
    void framesKeepTheirTypeAndDecodeToTheirMeaning() {
        Inbound inbound = new Inbound(new EmbeddedChannel(new FrontendDecoder(MAX_MESSAGE))).write(stream());
        try {
            List<Object> received = inbound.received();
            assertThat(received).hasSize(1 + FRAMES.size());
            for (int i = 0; i < FRAMES.size(); i++) {
                Message message = FRAMES.get(i);
                Frame frame = (Frame) received.get(i + 1);
                assertThat(frame.type()).as(message.name()).isEqualTo(message.wire()[0]);
                assertThat(frame.length()).as(message.name()).isEqualTo(message.wire().length);
                assertThat(FrontendMessage.decode(frame)).as(message.name()).isEqualTo(message.meaning());
            }
        } finally {
            inbound.close();
        }
    }

    static Stream<Arguments> truncated() {
        return Stream.concat(Stream.of(STARTUP), FRAMES.stream())
                .map(message -> arguments(named(message.name(), message)));
    }

    /** Every proper prefix of a message produces nothing, and closing the channel frees what was buffered. */
    @ParameterizedTest(name = "{0} cut short")
    @MethodSource("truncated")
    void partialMessageProducesNothingAndLeaksNothing(Message message) {
        boolean startup = message == STARTUP;
        for (int cut = 1; cut < message.wire().length; cut++) {
            FrontendDecoder decoder = new FrontendDecoder(MAX_MESSAGE);
            Inbound inbound = new Inbound(new EmbeddedChannel(decoder));
            try {
                if (!startup) {
                    inbound.write(STARTUP.wire());
                }
                inbound.write(Arrays.copyOf(message.wire(), cut));
                assertThat(inbound.observed()).as("after %d of %d bytes", cut, message.wire().length)
                        .containsExactlyElementsOf(startup ? List.of() : List.of(STARTUP.meaning()));
                assertThat(decoder.state())
                        .isEqualTo(startup ? FrontendDecoder.State.STARTUP : FrontendDecoder.State.AUTHENTICATING);
            } finally {
                inbound.close();
            }
        }
    }
}

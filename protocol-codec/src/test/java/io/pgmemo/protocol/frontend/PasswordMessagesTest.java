package io.pgmemo.protocol.frontend;

import static io.pgmemo.protocol.WireBytes.buffer;
import static io.pgmemo.protocol.WireBytes.bytes;
import static io.pgmemo.protocol.WireBytes.encoded;
import static io.pgmemo.protocol.WireBytes.hex;
import static io.pgmemo.protocol.WireBytes.int32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.LeakDetectionExtension;
import io.pgmemo.protocol.ProtocolViolationException;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three messages of type 'p' (protocol section 55.7, "Message Formats"), which only the login
 * exchange can tell apart: golden bytes both ways, and malformed SASL messages refused.
 */
@ExtendWith(LeakDetectionExtension.class)
class PasswordMessagesTest {
    private static final byte[] INITIAL = bytes('p', int32(31), "SCRAM-SHA-256\0", int32(9), "n,,n=,r=x");
    private static final byte[] RESPONSE = bytes('p', int32(10), "c=biws");

    @Test
    void saslInitialResponseBothWays() {
        SaslInitialResponse message = new SaslInitialResponse("SCRAM-SHA-256", bytes("n,,n=,r=x"));

        assertThat(hex(encoded(message::encode))).isEqualTo(hex(INITIAL));
        assertThat(decodeBody(INITIAL, SaslInitialResponse::decode)).isEqualTo(message);
    }

    @Test
    void saslResponseBothWays() {
        SaslResponse message = new SaslResponse(bytes("c=biws"));

        assertThat(hex(encoded(message::encode))).isEqualTo(hex(RESPONSE));
        assertThat(decodeBody(RESPONSE, SaslResponse::decode)).isEqualTo(message);
    }

    @Test
    void passwordMessageEncodesAndNeverPrintsThePassword() {
        PasswordMessage message = new PasswordMessage("secret");

        assertThat(hex(encoded(message::encode))).isEqualTo(hex(bytes('p', int32(11), "secret\0")));
        assertThat(message.toString()).doesNotContain("secret");
    }

    @Test
    void aSaslInitialResponseWhoseLengthDisagreesIsMalformed() {
        byte[] tooLong = bytes('p', int32(31), "SCRAM-SHA-256\0", int32(10), "n,,n=,r=x");
        byte[] unterminated = bytes('p', int32(17), "SCRAM-SHA-256");

        assertThatThrownBy(() -> decodeBody(tooLong, SaslInitialResponse::decode))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("SASLInitialResponse");
        assertThatThrownBy(() -> decodeBody(unterminated, SaslInitialResponse::decode))
                .isInstanceOf(ProtocolViolationException.class);
    }

    private static <T> T decodeBody(byte[] golden, Function<ByteBuf, T> decoder) {
        ByteBuf body = buffer(Arrays.copyOfRange(golden, 5, golden.length));
        try {
            return decoder.apply(body);
        } finally {
            body.release();
        }
    }
}

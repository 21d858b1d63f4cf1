package io.pgmemo.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Hand-written wire bytes and the buffer plumbing the codec tests share. Nothing here calls the
 * code under test, so expected bytes never come from it.
 */
public final class WireBytes {

    /** Written before every encoded message, to show encoders append at the writer index. */
    private static final byte[] PREFIX = {'p', 'r', 'e'};

    private WireBytes() {
    }

    /**
     * Concatenates pieces: a String is its bytes in UTF-8 (terminating NULs are written out as
     * {@code \0}), a Character is one byte, a byte[] is itself.
     */
    public static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof Character c && c <= 0xFF) {
                out.write(c);
            } else if (part instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                throw new IllegalArgumentException("not a wire piece: " + part);
            }
        }
        return out.toByteArray();
    }

    /** Big-endian Int32. */
    public static byte[] int32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** Big-endian Int16. */
    public static byte[] int16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    /** Bytes given as unsigned values, e.g. {@code raw(0xDE, 0xAD)}. */
    public static byte[] raw(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    public static byte[] filled(int length, char value) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) value);
        return out;
    }

    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    /** A leak-tracked buffer (the default allocator's buffers are tracked, unpooled heap ones are not). */
    public static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    /** What an encoder writes after existing content of the buffer; checks it left that content alone. */
    public static byte[] encoded(Consumer<ByteBuf> encoder) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            out.writeBytes(PREFIX);
            encoder.accept(out);
            byte[] all = ByteBufUtil.getBytes(out);
            assertThat(Arrays.copyOf(all, PREFIX.length)).as("bytes before the message").isEqualTo(PREFIX);
            return Arrays.copyOfRange(all, PREFIX.length, all.length);
        } finally {
            out.release();
            assertThat(out.refCnt()).isZero();
        }
    }

    /**
     * The ProtocolViolationException the call throws, found also as the cause of a Netty
     * DecoderException in case a pipeline wrapped it.
     */
    public static ProtocolViolationException protocolViolation(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected a ProtocolViolationException").isNotNull();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ProtocolViolationException violation) {
                return violation;
            }
        }
        throw new AssertionError("expected a ProtocolViolationException, got " + thrown, thrown);
    }
}

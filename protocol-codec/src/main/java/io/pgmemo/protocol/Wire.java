package io.pgmemo.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reading and writing the protocol's primitive types (String is a NUL-terminated UTF-8 byte
 * sequence) and back-patching message lengths.
 */
public final class Wire {
    private Wire() {
    }

    /** Reads a NUL-terminated string and moves past the terminator. */
    public static String readCString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new ProtocolViolationException("unterminated string in message");
        }
        if (end == buf.readerIndex()) {
            // The unnamed statement and portal: most Binds and Executes name them.
            buf.readerIndex(end + 1);
            return "";
        }
        String value = buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.UTF_8);
        buf.readerIndex(end + 1);
        return value;
    }

    public static void writeCString(ByteBuf out, String value) {
        out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeByte(0);
    }

    /** Writes the type byte and a length placeholder; returns the index to pass to {@link #endMessage}. */
    public static int beginMessage(ByteBuf out, byte type) {
        out.writeByte(type);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /** Back-patches the Int32 length (which counts itself but not the type byte). */
    public static void endMessage(ByteBuf out, int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex);
    }

    /** Fails unless the body was consumed exactly: trailing bytes mean a malformed message. */
    public static void requireConsumed(ByteBuf body, String message) {
        if (body.isReadable()) {
            throw new ProtocolViolationException("malformed " + message + " message: "
                    + body.readableBytes() + " trailing bytes");
        }
    }
}

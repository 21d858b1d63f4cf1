package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Bind: create a portal from a prepared statement with parameter values (null = SQL NULL) and
 * the format codes of the parameters and of the result columns (0 text, 1 binary).
 */
public record Bind(String portal, String statement, short[] parameterFormats, List<byte[]> parameters,
                   short[] resultFormats) implements FrontendMessage {

    /** The portal a Bind creates and the prepared statement it binds. */
    public record Target(String portal, String statement) {
    }

    public Bind {
        parameterFormats = parameterFormats.clone();
        resultFormats = resultFormats.clone();
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
    }

    static Bind decode(ByteBuf body) {
        String portal = Wire.readCString(body);
        String statement = Wire.readCString(body);
        short[] parameterFormats = readShorts(body);
        int count = readCount(body);
        List<byte[]> parameters = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parameters.add(readValue(body));
        }
        short[] resultFormats = readShorts(body);
        Wire.requireConsumed(body, "Bind");
        return new Bind(portal, statement, parameterFormats, parameters, resultFormats);
    }

    /**
     * The portal and statement of a Bind, checked as {@link #decode} checks the whole message, without
     * copying its parameter values: all a proxy needs of a Bind it forwards.
     */
    public static Target target(ByteBuf body) {
        String portal = Wire.readCString(body);
        String statement = Wire.readCString(body);
        skipShorts(body);
        int count = readCount(body);
        for (int i = 0; i < count; i++) {
            skipValue(body);
        }
        skipShorts(body);
        Wire.requireConsumed(body, "Bind");
        return new Target(portal, statement);
    }

    private static int readCount(ByteBuf body) {
        if (body.readableBytes() < 2) {
            throw new ProtocolViolationException("malformed Bind message");
        }
        return body.readUnsignedShort();
    }

    private static short[] readShorts(ByteBuf body) {
        int count = formatCount(body);
        short[] values = new short[count];
        for (int i = 0; i < count; i++) {
            values[i] = body.readShort();
        }
        return values;
    }

    private static void skipShorts(ByteBuf body) {
        body.skipBytes(formatCount(body) * 2);
    }

    /** A count of format codes, checked against what remains of the message. */
    private static int formatCount(ByteBuf body) {
        int count = readCount(body);
        if (body.readableBytes() < count * 2) {
            throw new ProtocolViolationException("malformed Bind message: bad format count");
        }
        return count;
    }

    private static byte[] readValue(ByteBuf body) {
        int length = valueLength(body);
        if (length == -1) {
            return null;
        }
        byte[] value = new byte[length];
        body.readBytes(value);
        return value;
    }

    private static void skipValue(ByteBuf body) {
        int length = valueLength(body);
        if (length > 0) {
            body.skipBytes(length);
        }
    }

    /** Reads a parameter's Int32 length (-1: NULL) and checks that its bytes follow. */
    private static int valueLength(ByteBuf body) {
        if (body.readableBytes() < 4) {
            throw new ProtocolViolationException("malformed Bind message");
        }
        int length = body.readInt();
        if (length != -1 && (length < 0 || length > body.readableBytes())) {
            throw new ProtocolViolationException("malformed Bind message: bad parameter length");
        }
        return length;
    }

    @Override
    public short[] parameterFormats() {
        return parameterFormats.clone();
    }

    @Override
    public short[] resultFormats() {
        return resultFormats.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.BIND.code());
        Wire.writeCString(out, portal);
        Wire.writeCString(out, statement);
        writeShorts(out, parameterFormats);
        out.writeShort(parameters.size());
        for (byte[] value : parameters) {
            if (value == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(value.length).writeBytes(value);
            }
        }
        writeShorts(out, resultFormats);
        Wire.endMessage(out, length);
    }

    private static void writeShorts(ByteBuf out, short[] values) {
        out.writeShort(values.length);
        for (short value : values) {
            out.writeShort(value);
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Bind that) || parameters.size() != that.parameters.size()) {
            return false;
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!Arrays.equals(parameters.get(i), that.parameters.get(i))) {
                return false;
            }
        }
        return portal.equals(that.portal) && statement.equals(that.statement)
                && Arrays.equals(parameterFormats, that.parameterFormats)
                && Arrays.equals(resultFormats, that.resultFormats);
    }

    @Override
    public int hashCode() {
        int hash = portal.hashCode() * 31 + statement.hashCode();
        for (byte[] value : parameters) {
            hash = hash * 31 + Arrays.hashCode(value);
        }
        return hash;
    }

    /** Parameter values are user data: only their count is printed. */
    @Override
    public String toString() {
        return "Bind[portal=" + portal + ", statement=" + statement + ", " + parameters.size() + " parameters]";
    }
}

package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.Arrays;

/** Parse: prepare a statement (empty name = the unnamed statement) with optional parameter type OIDs. */
public record Parse(String statement, String query, int[] parameterTypes) implements FrontendMessage {

    public Parse {
        parameterTypes = parameterTypes.clone();
    }

    static Parse decode(ByteBuf body) {
        String statement = Wire.readCString(body);
        String query = Wire.readCString(body);
        if (body.readableBytes() < 2) {
            throw new ProtocolViolationException("malformed Parse message");
        }
        int count = body.readUnsignedShort();
        if (body.readableBytes() != count * 4) {
            throw new ProtocolViolationException("malformed Parse message: bad parameter type count");
        }
        int[] types = new int[count];
        for (int i = 0; i < count; i++) {
            types[i] = body.readInt();
        }
        return new Parse(statement, query, types);
    }

    @Override
    public int[] parameterTypes() {
        return parameterTypes.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.PARSE.code());
        Wire.writeCString(out, statement);
        Wire.writeCString(out, query);
        out.writeShort(parameterTypes.length);
        for (int type : parameterTypes) {
            out.writeInt(type);
        }
        Wire.endMessage(out, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Parse that && statement.equals(that.statement) && query.equals(that.query)
                && Arrays.equals(parameterTypes, that.parameterTypes);
    }

    @Override
    public int hashCode() {
        return (statement.hashCode() * 31 + query.hashCode()) * 31 + Arrays.hashCode(parameterTypes);
    }

    @Override
    public String toString() {
        return "Parse[statement=" + statement + ", query=" + query + ", parameterTypes="
                + Arrays.toString(parameterTypes) + "]";
    }
}

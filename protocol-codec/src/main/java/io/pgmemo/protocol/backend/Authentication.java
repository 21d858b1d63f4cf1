package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.Arrays;

/**
 * An Authentication* message: a request code (0 = AuthenticationOk, 3 = cleartext, 5 = MD5,
 * 10/11/12 = SASL steps) and the code-specific data (salt, mechanisms, SASL payload), kept raw:
 * the proxy relays the exchange and only needs to see when it ends in AuthenticationOk.
 */
public record Authentication(int code, byte[] data) implements BackendMessage {

    public static final int OK = 0;
    public static final int CLEARTEXT_PASSWORD = 3;
    public static final int MD5_PASSWORD = 5;
    public static final int SASL = 10;
    public static final int SASL_CONTINUE = 11;
    public static final int SASL_FINAL = 12;

    public Authentication {
        data = data.clone();
    }

    static Authentication decode(ByteBuf body) {
        if (body.readableBytes() < 4) {
            throw new ProtocolViolationException("malformed Authentication message");
        }
        int code = body.readInt();
        byte[] data = new byte[body.readableBytes()];
        body.readBytes(data);
        return new Authentication(code, data);
    }

    public boolean isOk() {
        return code == OK;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, BackendType.AUTHENTICATION.code());
        out.writeInt(code).writeBytes(data);
        Wire.endMessage(out, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Authentication that && code == that.code && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Authentication[code=" + code + ", " + data.length + " bytes]";
    }
}

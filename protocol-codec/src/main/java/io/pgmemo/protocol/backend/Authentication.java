package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    /** AuthenticationSASL offering these mechanisms (protocol section 55.7), e.g. SCRAM-SHA-256. */
    public static Authentication sasl(List<String> mechanisms) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String mechanism : mechanisms) {
            data.writeBytes(mechanism.getBytes(StandardCharsets.US_ASCII));
            data.write(0);
        }
        data.write(0);
        return new Authentication(SASL, data.toByteArray());
    }

    /** The mechanisms of an AuthenticationSASL: a list of C strings ended by an empty one. */
    public List<String> saslMechanisms() {
        if (code != SASL) {
            throw new IllegalStateException("not an AuthenticationSASL message: code " + code);
        }
        List<String> mechanisms = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] != 0) {
                continue;
            }
            if (i == start) {
                break;
            }
            mechanisms.add(new String(data, start, i - start, StandardCharsets.US_ASCII));
            start = i + 1;
        }
        return mechanisms;
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

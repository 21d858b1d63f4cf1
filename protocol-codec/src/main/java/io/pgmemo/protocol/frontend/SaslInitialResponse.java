package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.Arrays;

/**
 * SASLInitialResponse ('p' after AuthenticationSASL): the mechanism the client chose and its first
 * message (protocol section 55.7; for SCRAM the client-first-message). Its type byte is shared with
 * PasswordMessage and SASLResponse, so only the login exchange knows to decode it as this.
 */
public record SaslInitialResponse(String mechanism, byte[] data) implements FrontendMessage {

    public SaslInitialResponse {
        data = data.clone();
    }

    public static SaslInitialResponse decode(ByteBuf body) {
        String mechanism = Wire.readCString(body);
        if (body.readableBytes() < 4) {
            throw new ProtocolViolationException("malformed SASLInitialResponse message");
        }
        int length = body.readInt();
        if (length < 0 || length != body.readableBytes()) {
            throw new ProtocolViolationException("malformed SASLInitialResponse message: data length " + length);
        }
        byte[] data = new byte[length];
        body.readBytes(data);
        return new SaslInitialResponse(mechanism, data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.PASSWORD.code());
        Wire.writeCString(out, mechanism);
        out.writeInt(data.length).writeBytes(data);
        Wire.endMessage(out, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SaslInitialResponse that && mechanism.equals(that.mechanism)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return 31 * mechanism.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SaslInitialResponse[" + mechanism + ", " + data.length + " bytes]";
    }
}

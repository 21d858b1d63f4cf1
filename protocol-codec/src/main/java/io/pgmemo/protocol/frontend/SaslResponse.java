package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;
import java.util.Arrays;

/** SASLResponse ('p' after AuthenticationSASLContinue): the next message of the SASL exchange, raw. */
public record SaslResponse(byte[] data) implements FrontendMessage {

    public SaslResponse {
        data = data.clone();
    }

    public static SaslResponse decode(ByteBuf body) {
        byte[] data = new byte[body.readableBytes()];
        body.readBytes(data);
        return new SaslResponse(data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.PASSWORD.code());
        out.writeBytes(data);
        Wire.endMessage(out, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SaslResponse that && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SaslResponse[" + data.length + " bytes]";
    }
}

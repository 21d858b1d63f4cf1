package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.Arrays;

/** BackendKeyData: the process ID and secret key a client needs to send a CancelRequest. */
public record BackendKeyData(int processId, byte[] secretKey) implements BackendMessage {

    public BackendKeyData {
        secretKey = secretKey.clone();
    }

    static BackendKeyData decode(ByteBuf body) {
        if (body.readableBytes() < 8 || body.readableBytes() > 4 + 256) {
            throw new ProtocolViolationException("malformed BackendKeyData message");
        }
        int processId = body.readInt();
        byte[] key = new byte[body.readableBytes()];
        body.readBytes(key);
        return new BackendKeyData(processId, key);
    }

    @Override
    public byte[] secretKey() {
        return secretKey.clone();
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, BackendType.BACKEND_KEY_DATA.code());
        out.writeInt(processId).writeBytes(secretKey);
        Wire.endMessage(out, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackendKeyData that && processId == that.processId
                && Arrays.equals(secretKey, that.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    /** Never prints the secret itself. */
    @Override
    public String toString() {
        return "BackendKeyData[processId=" + processId + "]";
    }
}

package io.pgmemo.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.ProtocolViolationException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * CancelRequest, sent on a fresh connection: the process ID and secret key from the
 * BackendKeyData of the session whose query should be cancelled. The key is 4 bytes in
 * protocol 3.0 and up to 256 bytes in 3.2.
 */
public record CancelRequest(int processId, byte[] secretKey) implements StartupPacket {

    public static final int MAX_SECRET_KEY_LENGTH = 256;

    public CancelRequest {
        secretKey = secretKey.clone();
    }

    static CancelRequest decode(ByteBuf rest) {
        if (rest.readableBytes() < 8 || rest.readableBytes() > 4 + MAX_SECRET_KEY_LENGTH) {
            throw new ProtocolViolationException("invalid length of CancelRequest");
        }
        int processId = rest.readInt();
        byte[] key = new byte[rest.readableBytes()];
        rest.readBytes(key);
        return new CancelRequest(processId, key);
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(12 + secretKey.length).writeInt(CANCEL_REQUEST_CODE).writeInt(processId).writeBytes(secretKey);
    }

    @Override
    public byte[] secretKey() {
        return secretKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CancelRequest that && processId == that.processId
                && Arrays.equals(secretKey, that.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    /** Never prints the secret itself. */
    @Override
    public String toString() {
        return "CancelRequest[processId=" + processId + ", secretKey=" + secretKey.length + " bytes]";
    }

    /** For tests and diagnostics only. */
    String secretKeyHex() {
        return HexFormat.of().formatHex(secretKey);
    }
}

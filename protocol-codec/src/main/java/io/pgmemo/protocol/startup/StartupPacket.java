package io.pgmemo.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.ProtocolViolationException;

/**
 * A packet of the startup phase: no type byte, just Int32 length (counting itself) and an
 * Int32 code that says which packet it is (protocol section 55.7, "Message Formats").
 */
public sealed interface StartupPacket permits StartupMessage, SslRequest, GssEncRequest, CancelRequest {

    int SSL_REQUEST_CODE = 80877103;
    int GSSENC_REQUEST_CODE = 80877104;
    int CANCEL_REQUEST_CODE = 80877102;

    /** Writes the whole packet, length word included. */
    void encode(ByteBuf out);

    /**
     * Decodes one whole packet.
     *
     * @param packet the packet from its length word to its end; fully consumed
     */
    static StartupPacket decode(ByteBuf packet) {
        if (packet.readableBytes() < 8) {
            throw new ProtocolViolationException("invalid length of startup packet");
        }
        int length = packet.readInt();
        if (length != packet.readableBytes() + 4) {
            throw new ProtocolViolationException("startup packet length mismatch");
        }
        int code = packet.readInt();
        switch (code) {
            case SSL_REQUEST_CODE:
                return SslRequest.decode(packet);
            case GSSENC_REQUEST_CODE:
                return GssEncRequest.decode(packet);
            case CANCEL_REQUEST_CODE:
                return CancelRequest.decode(packet);
            default:
                if (code >>> 16 == 3) {
                    return StartupMessage.decode(code, packet);
                }
                throw new ProtocolViolationException("unsupported frontend protocol "
                        + (code >>> 16) + "." + (code & 0xFFFF) + ": server supports 3.0 to 3.2");
        }
    }
}

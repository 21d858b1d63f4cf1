package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.ProtocolViolationException;

/** What a Describe or Close names: a prepared statement or a portal. */
public enum TargetKind {
    STATEMENT('S'),
    PORTAL('P');

    private final byte code;

    TargetKind(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    static TargetKind read(ByteBuf body, String message) {
        if (!body.isReadable()) {
            throw new ProtocolViolationException("malformed " + message + " message");
        }
        byte code = body.readByte();
        return switch (code) {
            case 'S' -> STATEMENT;
            case 'P' -> PORTAL;
            default -> throw new ProtocolViolationException("invalid " + message + " message subtype " + code);
        };
    }
}

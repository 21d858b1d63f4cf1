package io.pgmemo.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/** Input that breaks the protocol: the peer gets 08P01 and the connection is closed. */
public final class ProtocolViolationException extends CorruptedFrameException {
    public ProtocolViolationException(String message) {
        super(message);
    }
}

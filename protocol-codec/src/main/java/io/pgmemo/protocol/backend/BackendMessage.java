package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.Frame;

/**
 * Typed views of the backend messages the proxy intercepts. Every other message stays an opaque
 * {@link Frame}.
 */
public sealed interface BackendMessage
        permits Authentication, BackendKeyData, CommandComplete, ErrorResponse, ParameterStatus, ReadyForQuery {

    /** Writes the whole message: type byte, length, body. */
    void encode(ByteBuf out);

    /** Decodes a typed view of the frame, or returns null when the proxy does not intercept its type. */
    static BackendMessage decode(Frame frame) {
        ByteBuf body = frame.body();
        return switch (frame.backendType()) {
            case AUTHENTICATION -> Authentication.decode(body);
            case BACKEND_KEY_DATA -> BackendKeyData.decode(body);
            case COMMAND_COMPLETE -> CommandComplete.decode(body);
            case ERROR_RESPONSE -> ErrorResponse.decode(body);
            case PARAMETER_STATUS -> ParameterStatus.decode(body);
            case READY_FOR_QUERY -> ReadyForQuery.decode(body);
            default -> null;
        };
    }
}

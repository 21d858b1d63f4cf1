package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.Frame;

/**
 * Typed views of the frontend messages the proxy intercepts. Every other message stays an opaque
 * {@link Frame} and is forwarded untouched.
 */
public sealed interface FrontendMessage
        permits Query, Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate,
        SaslInitialResponse, SaslResponse, PasswordMessage {

    /** Writes the whole message: type byte, length, body. */
    void encode(ByteBuf out);

    /**
     * Decodes a typed view of the frame, or returns null when the proxy does not intercept its type.
     * PasswordMessage, SASLInitialResponse and SASLResponse share the type byte 'p': only the login
     * exchange knows which one is due, so it decodes them itself.
     */
    static FrontendMessage decode(Frame frame) {
        ByteBuf body = frame.body();
        return switch (frame.frontendType()) {
            case QUERY -> Query.decode(body);
            case PARSE -> Parse.decode(body);
            case BIND -> Bind.decode(body);
            case DESCRIBE -> Describe.decode(body);
            case EXECUTE -> Execute.decode(body);
            case CLOSE -> Close.decode(body);
            case SYNC -> Sync.decode(body);
            case FLUSH -> Flush.decode(body);
            case TERMINATE -> Terminate.decode(body);
            default -> null;
        };
    }
}

package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/**
 * PasswordMessage ('p' after AuthenticationCleartextPassword or AuthenticationMD5Password): the
 * password, or "md5" and the salted hash. {@link #toString()} never shows it.
 */
public record PasswordMessage(String password) implements FrontendMessage {

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.PASSWORD.code());
        Wire.writeCString(out, password);
        Wire.endMessage(out, length);
    }

    @Override
    public String toString() {
        return "PasswordMessage[hidden]";
    }
}

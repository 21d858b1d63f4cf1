package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Wire;

/** CommandComplete: the command tag, such as "SELECT 3" or "INSERT 0 1". */
public record CommandComplete(String tag) implements BackendMessage {

    static CommandComplete decode(ByteBuf body) {
        String tag = Wire.readCString(body);
        Wire.requireConsumed(body, "CommandComplete");
        return new CommandComplete(tag);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, BackendType.COMMAND_COMPLETE.code());
        Wire.writeCString(out, tag);
        Wire.endMessage(out, length);
    }
}

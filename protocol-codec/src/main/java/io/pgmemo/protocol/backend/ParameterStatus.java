package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Wire;

/** ParameterStatus: the backend reports the current value of a GUC_REPORT setting. */
public record ParameterStatus(String name, String value) implements BackendMessage {

    static ParameterStatus decode(ByteBuf body) {
        String name = Wire.readCString(body);
        String value = Wire.readCString(body);
        Wire.requireConsumed(body, "ParameterStatus");
        return new ParameterStatus(name, value);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, BackendType.PARAMETER_STATUS.code());
        Wire.writeCString(out, name);
        Wire.writeCString(out, value);
        Wire.endMessage(out, length);
    }
}

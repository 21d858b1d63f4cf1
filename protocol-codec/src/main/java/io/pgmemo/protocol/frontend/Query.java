package io.pgmemo.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.Wire;

/** Query: a simple-protocol query string, possibly holding several statements. */
public record Query(String sql) implements FrontendMessage {

    static Query decode(ByteBuf body) {
        String sql = Wire.readCString(body);
        Wire.requireConsumed(body, "Query");
        return new Query(sql);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, FrontendType.QUERY.code());
        Wire.writeCString(out, sql);
        Wire.endMessage(out, length);
    }
}

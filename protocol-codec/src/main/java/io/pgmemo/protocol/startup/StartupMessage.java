package io.pgmemo.protocol.startup;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.Wire;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * StartupMessage: protocol version and the session's parameters (user, database, options,
 * application_name, any GUC). Parameter order is kept so re-encoding gives the same bytes.
 */
public record StartupMessage(int protocolVersion, Map<String, String> parameters) implements StartupPacket {

    public static final int PROTOCOL_3_0 = 196608;

    public StartupMessage {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    static StartupMessage decode(int protocolVersion, ByteBuf rest) {
        Map<String, String> parameters = new LinkedHashMap<>();
        while (true) {
            if (!rest.isReadable()) {
                throw new ProtocolViolationException("StartupMessage without terminator");
            }
            String name = Wire.readCString(rest);
            if (name.isEmpty()) {
                break;
            }
            parameters.put(name, Wire.readCString(rest));
        }
        Wire.requireConsumed(rest, "StartupMessage");
        if (!parameters.containsKey("user")) {
            throw new ProtocolViolationException("no PostgreSQL user name specified in startup packet");
        }
        return new StartupMessage(protocolVersion, parameters);
    }

    public String user() {
        return parameters.get("user");
    }

    /** The database, which defaults to the user name. */
    public String database() {
        return parameters.getOrDefault("database", user());
    }

    @Override
    public void encode(ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0).writeInt(protocolVersion);
        parameters.forEach((name, value) -> {
            Wire.writeCString(out, name);
            Wire.writeCString(out, value);
        });
        out.writeByte(0);
        out.setInt(start, out.writerIndex() - start);
    }
}

package io.pgmemo.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.Wire;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ErrorResponse: identified fields (protocol section 55.8), in order. The proxy raises its own
 * errors through the named factories, which always carry severity, SQLSTATE and message.
 */
public record ErrorResponse(Map<Character, String> fields) implements BackendMessage {

    public static final char SEVERITY = 'S';
    public static final char SEVERITY_NONLOCALIZED = 'V';
    public static final char CODE = 'C';
    public static final char MESSAGE = 'M';
    public static final char DETAIL = 'D';
    public static final char HINT = 'H';

    public ErrorResponse {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static ErrorResponse protocolViolation(String message) {
        return fatal(SqlState.PROTOCOL_VIOLATION, message);
    }

    public static ErrorResponse cannotConnect(String message) {
        return fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, message);
    }

    public static ErrorResponse upstreamUnavailable(String message) {
        return fatal(SqlState.CONNECTION_FAILURE, message);
    }

    public static ErrorResponse tooLarge(String message) {
        return fatal(SqlState.PROGRAM_LIMIT_EXCEEDED, message);
    }

    public static ErrorResponse shuttingDown() {
        return fatal(SqlState.ADMIN_SHUTDOWN, "terminating connection due to administrator command");
    }

    public static ErrorResponse cannotConnectNow(String message) {
        return fatal(SqlState.CANNOT_CONNECT_NOW, message);
    }

    public static ErrorResponse fatal(String sqlState, String message) {
        return builder().severity("FATAL").code(sqlState).message(message).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    static ErrorResponse decode(ByteBuf body) {
        Map<Character, String> fields = new LinkedHashMap<>();
        byte field;
        while ((field = readFieldType(body)) != 0) {
            fields.put((char) field, Wire.readCString(body));
        }
        Wire.requireConsumed(body, "ErrorResponse");
        return new ErrorResponse(fields);
    }

    private static byte readFieldType(ByteBuf body) {
        if (!body.isReadable()) {
            throw new ProtocolViolationException("ErrorResponse without terminator");
        }
        return body.readByte();
    }

    public String code() {
        return fields.get(CODE);
    }

    public String message() {
        return fields.get(MESSAGE);
    }

    public String severity() {
        return fields.get(SEVERITY);
    }

    @Override
    public void encode(ByteBuf out) {
        int length = Wire.beginMessage(out, BackendType.ERROR_RESPONSE.code());
        fields.forEach((field, value) -> {
            out.writeByte(field);
            Wire.writeCString(out, value);
        });
        out.writeByte(0);
        Wire.endMessage(out, length);
    }

    /** Builds an ErrorResponse; severity, SQLSTATE and message are required. */
    public static final class Builder {
        private final Map<Character, String> fields = new LinkedHashMap<>();

        public Builder severity(String severity) {
            fields.put(SEVERITY, severity);
            fields.put(SEVERITY_NONLOCALIZED, severity);
            return this;
        }

        public Builder code(String sqlState) {
            if (sqlState.length() != 5) {
                throw new IllegalArgumentException("SQLSTATE must have 5 characters: " + sqlState);
            }
            fields.put(CODE, sqlState);
            return this;
        }

        public Builder message(String message) {
            fields.put(MESSAGE, message);
            return this;
        }

        public Builder detail(String detail) {
            fields.put(DETAIL, detail);
            return this;
        }

        public Builder hint(String hint) {
            fields.put(HINT, hint);
            return this;
        }

        public ErrorResponse build() {
            for (char required : new char[] {SEVERITY, CODE, MESSAGE}) {
                if (!fields.containsKey(required)) {
                    throw new IllegalStateException("ErrorResponse needs field '" + required + "'");
                }
            }
            return new ErrorResponse(fields);
        }
    }
}

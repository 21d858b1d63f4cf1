package io.pgmemo.protocol;

/** Type bytes of messages a backend (server) sends. */
public enum BackendType {
    AUTHENTICATION('R'),
    BACKEND_KEY_DATA('K'),
    BIND_COMPLETE('2'),
    CLOSE_COMPLETE('3'),
    COMMAND_COMPLETE('C'),
    COPY_BOTH_RESPONSE('W'),
    COPY_DATA('d'),
    COPY_DONE('c'),
    COPY_IN_RESPONSE('G'),
    COPY_OUT_RESPONSE('H'),
    DATA_ROW('D'),
    EMPTY_QUERY_RESPONSE('I'),
    ERROR_RESPONSE('E'),
    FUNCTION_CALL_RESPONSE('V'),
    NEGOTIATE_PROTOCOL_VERSION('v'),
    NO_DATA('n'),
    NOTICE_RESPONSE('N'),
    NOTIFICATION_RESPONSE('A'),
    PARAMETER_DESCRIPTION('t'),
    PARAMETER_STATUS('S'),
    PARSE_COMPLETE('1'),
    PORTAL_SUSPENDED('s'),
    READY_FOR_QUERY('Z'),
    ROW_DESCRIPTION('T'),
    /** Any byte the proxy does not know; such frames are forwarded untouched. */
    UNKNOWN('?');

    private static final BackendType[] BY_BYTE = new BackendType[256];

    static {
        for (BackendType type : values()) {
            if (type != UNKNOWN) {
                BY_BYTE[type.code] = type;
            }
        }
    }

    private final byte code;

    BackendType(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static BackendType of(byte code) {
        BackendType type = BY_BYTE[code & 0xFF];
        return type == null ? UNKNOWN : type;
    }
}

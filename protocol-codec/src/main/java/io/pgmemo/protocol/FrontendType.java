package io.pgmemo.protocol;

/**
 * Type bytes of messages a frontend (client) sends after the startup phase.
 * The same byte means something else from the backend, hence a separate {@link BackendType}.
 */
public enum FrontendType {
    BIND('B'),
    CLOSE('C'),
    COPY_DATA('d'),
    COPY_DONE('c'),
    COPY_FAIL('f'),
    DESCRIBE('D'),
    EXECUTE('E'),
    FLUSH('H'),
    FUNCTION_CALL('F'),
    PARSE('P'),
    /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse all use 'p'. */
    PASSWORD('p'),
    QUERY('Q'),
    SYNC('S'),
    TERMINATE('X'),
    /** Any byte the proxy does not know; such frames are forwarded untouched. */
    UNKNOWN('?');

    private static final FrontendType[] BY_BYTE = new FrontendType[256];

    static {
        for (FrontendType type : values()) {
            if (type != UNKNOWN) {
                BY_BYTE[type.code] = type;
            }
        }
    }

    private final byte code;

    FrontendType(char code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static FrontendType of(byte code) {
        FrontendType type = BY_BYTE[code & 0xFF];
        return type == null ? UNKNOWN : type;
    }
}

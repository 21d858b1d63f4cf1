package io.pgmemo.proxy.config;

import java.util.Locale;

/** Whether clients may, or must, encrypt their connection to pgmemo. */
public enum ClientTlsMode {
    /** SSLRequest is answered 'N'; direct TLS is refused. */
    DISABLE,
    /** TLS when the client asks for it (SSLRequest or direct TLS), plaintext otherwise. */
    ALLOW,
    /** Only TLS: a plaintext StartupMessage is refused as PostgreSQL's hostssl-only pg_hba.conf refuses it. */
    REQUIRE;

    /** The name used on the command line: {@code disable}, {@code allow}, {@code require}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ClientTlsMode parse(String text) {
        for (ClientTlsMode mode : values()) {
            if (mode.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("client TLS mode must be disable, allow or require, not '" + text + "'");
    }
}

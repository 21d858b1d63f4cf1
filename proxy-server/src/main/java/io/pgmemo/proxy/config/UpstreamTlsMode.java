package io.pgmemo.proxy.config;

import java.util.Locale;

/** How pgmemo encrypts its connections to the upstream: libpq's sslmode values, with their meanings. */
public enum UpstreamTlsMode {
    /** Plaintext only. */
    DISABLE,
    /** TLS if the upstream offers it, else plaintext; the certificate is not checked (without a CA file). */
    PREFER,
    /** TLS or no connection; the certificate is checked against the CA file only if one is given. */
    REQUIRE,
    /** TLS, and the upstream's certificate must chain to the CA file (or the JDK's trust store). */
    VERIFY_CA,
    /** As verify-ca, and the certificate must name the upstream host. */
    VERIFY_FULL;

    /** The libpq spelling: {@code verify-full}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static UpstreamTlsMode parse(String text) {
        for (UpstreamTlsMode mode : values()) {
            if (mode.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "upstream TLS mode must be disable, prefer, require, verify-ca or verify-full, not '" + text + "'");
    }

    /** The connection fails rather than going on in plaintext. */
    public boolean requiresTls() {
        return this == REQUIRE || this == VERIFY_CA || this == VERIFY_FULL;
    }
}

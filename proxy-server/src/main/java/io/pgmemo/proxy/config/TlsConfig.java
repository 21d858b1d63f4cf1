package io.pgmemo.proxy.config;

import java.nio.file.Path;

/**
 * TLS on both sides of the proxy, fixed at start-up. The files are read once, when the server
 * starts (see {@code io.pgmemo.proxy.tls.TlsContexts}), never per connection.
 *
 * @param certificate  PEM certificate chain pgmemo presents to clients, or null
 * @param key          its PEM private key (PKCS#8), or null
 * @param clientMode   whether clients may or must use TLS
 * @param upstreamMode libpq's sslmode for every connection pgmemo opens upstream
 * @param upstreamCa   PEM file of CA certificates the upstream's certificate must chain to, or null
 *                     for the JDK's trust store
 */
public record TlsConfig(Path certificate, Path key, ClientTlsMode clientMode, UpstreamTlsMode upstreamMode,
                        Path upstreamCa) {

    /** No TLS toward clients; upstream TLS when offered, as libpq's default sslmode=prefer. */
    public static final TlsConfig DEFAULT = new TlsConfig(null, null, ClientTlsMode.DISABLE, UpstreamTlsMode.PREFER,
            null);

    public TlsConfig {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
        }
        if (clientMode != ClientTlsMode.DISABLE && certificate == null) {
            throw new IllegalArgumentException("--client-tls " + clientMode.cliName()
                    + " needs a certificate and key (--tls-cert, --tls-key)");
        }
    }

    /** The client mode the options mean when none is given: allow once a certificate is configured. */
    public static ClientTlsMode defaultClientMode(Path certificate) {
        return certificate == null ? ClientTlsMode.DISABLE : ClientTlsMode.ALLOW;
    }

    public boolean terminatesClientTls() {
        return clientMode != ClientTlsMode.DISABLE;
    }

    public TlsConfig withClient(Path certificate, Path key, ClientTlsMode mode) {
        return new TlsConfig(certificate, key, mode, upstreamMode, upstreamCa);
    }

    public TlsConfig withUpstream(UpstreamTlsMode mode, Path ca) {
        return new TlsConfig(certificate, key, clientMode, mode, ca);
    }
}

package io.pgmemo.proxy.cli;

import io.pgmemo.proxy.config.ClientTlsMode;
import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** TLS options, toward clients and toward the upstream; each also settable by its environment variable. */
final class TlsCliOptions {

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:PGMEMO_TLS_CERT}",
            description = "PEM certificate (chain) pgmemo presents to clients; with --tls-key, SSLRequest is "
                    + "answered 'S' (env PGMEMO_TLS_CERT).")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:PGMEMO_TLS_KEY}",
            description = "PEM private key of --tls-cert (env PGMEMO_TLS_KEY). Read once at start.")
    Path key;

    @Option(names = "--client-tls", paramLabel = "MODE", defaultValue = "${env:PGMEMO_CLIENT_TLS}",
            description = "disable, allow or require: whether clients may or must use TLS; require refuses "
                    + "plaintext clients with SQLSTATE 28000 (env PGMEMO_CLIENT_TLS). Default: allow with "
                    + "--tls-cert, else disable.")
    String clientMode;

    @Option(names = "--upstream-tls", paramLabel = "MODE", defaultValue = "${env:PGMEMO_UPSTREAM_TLS:-prefer}",
            description = "disable, prefer, require, verify-ca or verify-full: libpq's sslmode for every "
                    + "connection pgmemo opens upstream (env PGMEMO_UPSTREAM_TLS). Default: ${DEFAULT-VALUE}.")
    String upstreamMode;

    @Option(names = "--upstream-tls-ca", paramLabel = "FILE", defaultValue = "${env:PGMEMO_UPSTREAM_TLS_CA}",
            description = "PEM CA certificates the upstream's certificate must chain to; without it, verify-ca "
                    + "and verify-full use the JDK's trust store (env PGMEMO_UPSTREAM_TLS_CA).")
    Path upstreamCa;

    TlsConfig toConfig() {
        ClientTlsMode client = clientMode == null || clientMode.isBlank()
                ? TlsConfig.defaultClientMode(certificate) : ClientTlsMode.parse(clientMode);
        return new TlsConfig(certificate, key, client, UpstreamTlsMode.parse(upstreamMode), upstreamCa);
    }
}

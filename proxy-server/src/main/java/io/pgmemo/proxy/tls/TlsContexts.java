package io.pgmemo.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS contexts of a running server, built once at start-up from the PEM files of a
 * {@link TlsConfig}, so no connection ever reads a file on the event loop. JDK provider only.
 */
public final class TlsContexts {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
    /** The ALPN protocol name PostgreSQL 17 registers and requires for direct TLS. */
    public static final String ALPN_POSTGRESQL = "postgresql";
    /** PostgreSQL's default ssl_min_protocol_version is TLSv1.2. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    private final ClientTls client;
    private final UpstreamTls upstream;

    private TlsContexts(ClientTls client, UpstreamTls upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /** Reads and checks every file; a {@link TlsSetupException} names the first that cannot be used. */
    public static TlsContexts load(TlsConfig config) {
        ClientTls client = config.terminatesClientTls() ? clientTls(config)
                : new ClientTls(config.clientMode(), null, null);
        SslContext toUpstream = config.upstreamMode() == UpstreamTlsMode.DISABLE ? null
                : upstreamContext(config.upstreamMode(), config.upstreamCa());
        return new TlsContexts(client, new UpstreamTls(config.upstreamMode(), toUpstream));
    }

    public ClientTls client() {
        return client;
    }

    public UpstreamTls upstream() {
        return upstream;
    }

    /** The context, and the binding of the certificate it presents (the chain's first). */
    private static ClientTls clientTls(TlsConfig config) {
        X509Certificate first = readCertificates(config.certificate(), "certificate");
        return new ClientTls(config.clientMode(), serverContext(config.certificate(), config.key(), first),
                TlsServerEndPoint.of(first));
    }

    private static SslContext serverContext(Path certificate, Path key, X509Certificate first) {
        readable(key, "key");
        if (first.getNotAfter().before(new Date())) {
            log.warn("TLS certificate {} expired on {}: clients that verify it will refuse to connect", certificate,
                    first.getNotAfter());
        }
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                            SelectorFailureBehavior.FATAL_ALERT, SelectedListenerFailureBehavior.ACCEPT,
                            ALPN_POSTGRESQL))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException("cannot use TLS key file " + key + " with certificate " + certificate
                    + ": " + rootMessage(e));
        }
    }

    private static SslContext upstreamContext(UpstreamTlsMode mode, Path ca) {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS);
        if (ca != null) {
            readCertificates(ca, "CA");
            builder.trustManager(ca.toFile());
        } else if (!mode.requiresTls() || mode == UpstreamTlsMode.REQUIRE) {
            // libpq's prefer and require without a root certificate: encrypt, check nothing.
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        // Netty 4.2 checks host names by default; libpq does so only under verify-full.
        builder.endpointIdentificationAlgorithm(mode == UpstreamTlsMode.VERIFY_FULL ? "HTTPS" : null);
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException("cannot use upstream TLS CA file " + ca + ": " + rootMessage(e));
        }
    }

    /** Parses a PEM certificate file and returns its first certificate. */
    private static X509Certificate readCertificates(Path file, String what) {
        readable(file, what);
        try {
            if (!Files.readString(file, StandardCharsets.ISO_8859_1).contains(PEM_CERTIFICATE)) {
                throw new TlsSetupException("TLS " + what + " file " + file + " holds no PEM certificate ("
                        + PEM_CERTIFICATE + ")");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(in)
                        .iterator().next();
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsSetupException("cannot read TLS " + what + " file " + file + ": " + rootMessage(e));
        }
    }

    private static void readable(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            in.read();
        } catch (NoSuchFileException e) {
            throw new TlsSetupException("cannot read TLS " + what + " file " + file + ": no such file");
        } catch (IOException e) {
            throw new TlsSetupException("cannot read TLS " + what + " file " + file + ": " + rootMessage(e));
        }
    }

    /** The innermost cause's message: the one that says what was wrong ("unable to find valid certification path"). */
    public static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** For log lines: the client mode and whether a certificate is loaded. */
    @Override
    public String toString() {
        return "client TLS " + client.mode().cliName() + ", upstream TLS " + upstream.mode().cliName();
    }
}

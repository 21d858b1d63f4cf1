package io.pgmemo.protocol.scram;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * tls-server-end-point channel binding data (RFC 5929 section 4.1): the hash of the server's TLS
 * certificate, the only binding type PostgreSQL supports. Both ends of one TLS connection compute
 * the same bytes; a proxy that terminates TLS has a certificate, and so a binding, of its own.
 */
public record TlsServerEndPoint(byte[] certificateHash) {
    public static final String TYPE = "tls-server-end-point";

    public TlsServerEndPoint {
        certificateHash = certificateHash.clone();
    }

    /**
     * The binding of this certificate, or null when its signature names no hash this can use
     * (Ed25519, RSASSA-PSS): then the connection is not bound, as PostgreSQL cannot bind it either.
     * The hash is the signature's, except that MD5 and SHA-1 become SHA-256.
     */
    public static TlsServerEndPoint of(Certificate certificate) {
        if (!(certificate instanceof X509Certificate x509)) {
            return null;
        }
        String hash = hashOf(x509.getSigAlgName().toUpperCase(Locale.ROOT));
        if (hash == null) {
            return null;
        }
        try {
            return new TlsServerEndPoint(MessageDigest.getInstance(hash).digest(x509.getEncoded()));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static String hashOf(String signatureAlgorithm) {
        if (signatureAlgorithm.startsWith("MD5") || signatureAlgorithm.startsWith("SHA1")
                || signatureAlgorithm.startsWith("SHA256")) {
            return "SHA-256";
        }
        for (String bits : new String[] {"224", "384", "512"}) {
            if (signatureAlgorithm.startsWith("SHA" + bits)) {
                return "SHA-" + bits;
            }
        }
        return null;
    }

    @Override
    public byte[] certificateHash() {
        return certificateHash.clone();
    }

    /** The GS2 header of a client that binds: {@code p=tls-server-end-point,,}. */
    static String gs2Header() {
        return "p=" + TYPE + ",,";
    }
}

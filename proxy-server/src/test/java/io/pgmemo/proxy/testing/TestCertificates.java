package io.pgmemo.proxy.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI written as PEM files into a directory: a CA, certificates it issues for a server, and
 * a second CA that trusts nothing here. EC P-256 keys, PKCS#8 PEM, as PostgreSQL and Netty read them.
 */
public final class TestCertificates {

    /** A certificate with its key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    /** The files of one server certificate: {@code certificate} (PEM chain) and {@code key} (PKCS#8, 0600). */
    public record ServerFiles(Path certificate, Path key) {
    }

    private TestCertificates() {
    }

    public static Issued ca(String commonName) {
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + commonName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Issued(sign(builder, keys), keys);
    }

    /** A server certificate from {@code ca} for these DNS names and IP addresses, valid from..until. */
    public static Issued server(Issued ca, List<String> dnsNames, List<String> ipAddresses, Instant from,
                                Instant until) {
        KeyPair keys = keyPair();
        X500Name issuer = new X500Name(ca.certificate().getSubjectX500Principal().getName());
        String commonName = dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from),
                Date.from(until), new X500Name("CN=" + commonName), keys.getPublic());
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Issued(sign(builder, ca.keys()), keys);
    }

    /** A server certificate valid now, for localhost and 127.0.0.1. */
    public static Issued localServer(Issued ca) {
        Instant now = Instant.now();
        return server(ca, List.of("localhost"), List.of("127.0.0.1"), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)));
    }

    /** A new CA and a server certificate it signed for localhost and 127.0.0.1, written to {@code dir}. */
    public record LocalFiles(Path ca, ServerFiles server) {
    }

    /** Writes ca.crt (a new CA named {@code caName}) and local.crt/local.key ({@link #localServer}). */
    public static LocalFiles writeLocal(Path dir, String caName) {
        Issued authority = ca(caName);
        return new LocalFiles(writeCa(dir, "ca", authority), writeServer(dir, "local", localServer(authority)));
    }

    /** Writes the CA's certificate as a PEM file, as a client's root certificate. */
    public static Path writeCa(Path dir, String name, Issued ca) {
        Path file = dir.resolve(name + ".crt");
        writePem(file, ca.certificate());
        return file;
    }

    /** Writes a server's certificate and key as PEM files named {@code name}.crt and {@code name}.key. */
    public static ServerFiles writeServer(Path dir, String name, Issued server) {
        Path certificate = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        writePem(certificate, server.certificate());
        try {
            writePem(key, new JcaPKCS8Generator(server.keys().getPrivate(), null));
            // PostgreSQL refuses a key file others can read.
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new ServerFiles(certificate, key);
    }

    private static void writePem(Path file, Object object) {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(63, new SecureRandom());
    }
}

package io.pgmemo.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The SCRAM-SHA-256 primitives of RFC 5802 and RFC 7677, as PostgreSQL uses them (protocol section 53.3). */
final class Scram {
    static final String MECHANISM = "SCRAM-SHA-256";
    static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Hi(Normalize(password), salt, i): PBKDF2 with HMAC-SHA-256. PostgreSQL normalizes with SASLprep
     * and uses the raw password where that fails; NFKC, SASLprep's core, agrees with it on every
     * password without prohibited characters, and leaves ASCII as it is.
     */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(normalized.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** A fresh nonce: 18 random bytes, base64 (printable, never a comma). */
    static String nonce() {
        return base64(randomBytes(18));
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] fromBase64(String text, String what) throws ScramException {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ScramException.malformed("malformed SCRAM message (invalid base64 in " + what + ")");
        }
    }

    /** The c= attribute's content: the GS2 header, then the channel binding data when the client binds. */
    static byte[] bindingInput(String gs2Header, TlsServerEndPoint binding) {
        byte[] header = gs2Header.getBytes(StandardCharsets.US_ASCII);
        if (binding == null) {
            return header;
        }
        byte[] hash = binding.certificateHash();
        byte[] input = new byte[header.length + hash.length];
        System.arraycopy(header, 0, input, 0, header.length);
        System.arraycopy(hash, 0, input, header.length, hash.length);
        return input;
    }

    static String ascii(byte[] message) {
        return new String(message, StandardCharsets.UTF_8);
    }
}

package io.pgmemo.protocol.scram;

import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SCRAM-SHA-256 verifier as PostgreSQL stores it in pg_authid.rolpassword:
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, all base64. It proves a
 * client's password without holding it; {@link #toString()} never shows the keys.
 */
public record ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    private static final Pattern FORMAT = Pattern.compile(
            "SCRAM-SHA-256\\$(\\d{1,9}):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)");
    /** PostgreSQL's default scram_iterations. */
    public static final int DEFAULT_ITERATIONS = 4096;

    public ScramSecret {
        if (iterations < 1 || storedKey.length != 32 || serverKey.length != 32 || salt.length == 0) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 secret");
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** Whether {@code text} has the form of a stored verifier (and so is not a password). */
    public static boolean looksLikeSecret(String text) {
        return text.startsWith("SCRAM-SHA-256$");
    }

    /** Parses the stored form; IllegalArgumentException when it is not one. */
    public static ScramSecret parse(String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 secret in PostgreSQL's stored form");
        }
        try {
            return new ScramSecret(Integer.parseInt(matcher.group(1)), Scram.fromBase64(matcher.group(2), "salt"),
                    Scram.fromBase64(matcher.group(3), "StoredKey"), Scram.fromBase64(matcher.group(4), "ServerKey"));
        } catch (ScramException e) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 secret: invalid base64");
        }
    }

    /** The verifier PostgreSQL would store for this password with this salt and iteration count. */
    public static ScramSecret of(String password, byte[] salt, int iterations) {
        return of(ScramKeys.fromPassword(password, salt, iterations), salt, iterations);
    }

    static ScramSecret of(ScramKeys keys, byte[] salt, int iterations) {
        return new ScramSecret(iterations, salt, Scram.sha256(keys.clientKey()), keys.serverKey());
    }

    /** The verifier for this password with a fresh random salt. */
    public static ScramSecret withRandomSalt(String password) {
        return of(password, Scram.randomBytes(16), DEFAULT_ITERATIONS);
    }

    /** Whether an exchange that offered this salt and count is one this verifier belongs to. */
    boolean matches(byte[] otherSalt, int otherIterations) {
        return iterations == otherIterations && MessageDigest.isEqual(salt, otherSalt);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** The stored form, as pg_authid holds it. */
    public String encode() {
        return "SCRAM-SHA-256$" + iterations + ":" + Scram.base64(salt) + "$" + Scram.base64(storedKey) + ":"
                + Scram.base64(serverKey);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramSecret that && encode().equals(that.encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        return "ScramSecret[iterations=" + iterations + ", keys hidden]";
    }
}

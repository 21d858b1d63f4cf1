package io.pgmemo.proxy.auth;

import io.pgmemo.protocol.scram.ScramClient;
import io.pgmemo.protocol.scram.ScramKeys;
import io.pgmemo.protocol.scram.ScramSecret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the auth file holds for one user: a SCRAM verifier to check the client with, and, where the
 * file gives the password itself, that password. With a verifier only, pgmemo can log in upstream
 * only by SCRAM and only with that same verifier (the ClientKey recovered from the client's proof);
 * with the password it can answer whatever the upstream asks (SCRAM with any salt, md5, cleartext).
 */
public final class LoginSecret {
    private final ScramSecret verifier;
    private final String password;
    /** The last keys derived from the password, for the salt the upstream last named. */
    private volatile Derived derived;

    private record Derived(byte[] salt, int iterations, ScramKeys keys) {
    }

    private LoginSecret(ScramSecret verifier, String password) {
        this.verifier = verifier;
        this.password = password;
    }

    static LoginSecret ofVerifier(ScramSecret verifier) {
        return new LoginSecret(verifier, null);
    }

    /** A verifier of pgmemo's own (fresh salt) to check the client; the password for the upstream. */
    static LoginSecret ofPassword(String password) {
        return new LoginSecret(ScramSecret.withRandomSalt(password), password);
    }

    public ScramSecret verifier() {
        return verifier;
    }

    public boolean holdsPassword() {
        return password != null;
    }

    /**
     * The keys for the upstream's SCRAM exchange, given those the client proved. PBKDF2 costs
     * milliseconds of the event loop, so keys derived from a password are kept for the salt the
     * upstream names, which changes only when the role's password does.
     */
    public ScramClient.KeySource upstreamKeys(ScramKeys proven) {
        return (salt, iterations) -> {
            if (password == null) {
                return ScramClient.verified(verifier, proven).keysFor(salt, iterations);
            }
            Derived kept = derived;
            if (kept == null || kept.iterations != iterations || !MessageDigest.isEqual(kept.salt, salt)) {
                kept = new Derived(salt.clone(), iterations, ScramKeys.fromPassword(password, salt, iterations));
                derived = kept;
            }
            return kept.keys;
        };
    }

    /** PostgreSQL's md5 answer: "md5" + md5(md5(password + user) + salt), in hex; null without the password. */
    public String md5Response(String user, byte[] salt) {
        if (password == null) {
            return null;
        }
        String inner = md5Hex(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8));
        return "md5" + md5Hex(inner.getBytes(StandardCharsets.US_ASCII), salt);
    }

    /** The password for AuthenticationCleartextPassword; null without it. */
    public String cleartext() {
        return password;
    }

    private static String md5Hex(byte[] first, byte[] second) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(first);
            md5.update(second);
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return password == null ? "LoginSecret[verifier]" : "LoginSecret[password]";
    }
}

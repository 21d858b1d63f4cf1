package io.pgmemo.proxy.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 without channel binding (RFC 5802, RFC 7677), as PostgreSQL asks
 * for it (protocol section 53.3.1), for the raw test client. ASCII passwords only (no SASLprep).
 */
final class ScramClient {
    static final String MECHANISM = "SCRAM-SHA-256";

    private final String password;
    private final String clientFirstBare;
    private final String nonce;

    ScramClient(String password) {
        this.password = password;
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        this.nonce = Base64.getEncoder().encodeToString(random);
        // PostgreSQL takes the user name from the StartupMessage; the SCRAM one is left empty.
        this.clientFirstBare = "n=,r=" + nonce;
    }

    /** SASLInitialResponse body: mechanism, then the client-first-message. */
    byte[] initialResponse() {
        byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.US_ASCII);
        byte[] mechanism = (MECHANISM + "\0").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(mechanism.length + 4 + first.length).put(mechanism).putInt(first.length)
                .put(first).array();
    }

    /** SASLResponse body (client-final-message) for the server-first-message of AuthenticationSASLContinue. */
    byte[] finalResponse(String serverFirst) throws GeneralSecurityException {
        Map<Character, String> fields = fields(serverFirst);
        String serverNonce = fields.get('r');
        if (!serverNonce.startsWith(nonce)) {
            throw new GeneralSecurityException("server nonce does not extend the client's");
        }
        byte[] salt = Base64.getDecoder().decode(fields.get('s'));
        int iterations = Integer.parseInt(fields.get('i'));
        String withoutProof = "c=biws,r=" + serverNonce;
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        byte[] clientKey = hmac(salted, "Client Key");
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static Map<Character, String> fields(String message) {
        Map<Character, String> out = new HashMap<>();
        for (String part : message.split(",")) {
            out.put(part.charAt(0), part.substring(2));
        }
        return out;
    }
}

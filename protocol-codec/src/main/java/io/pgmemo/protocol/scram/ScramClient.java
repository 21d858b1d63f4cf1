package io.pgmemo.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client side of one SCRAM-SHA-256 exchange, as libpq runs it:
 *
 * <pre>
 *   {@link #mechanism} + {@link #clientFirst}  ──▶ SASLInitialResponse   gs2-header n=,r=CNONCE
 *   {@link #clientFinal}(server-first)          ──▶ SASLResponse          c=...,r=NONCE,p=PROOF
 *   {@link #checkServerFinal}(server-final)     the server proves it knew the verifier
 * </pre>
 *
 * It binds to the server's certificate (SCRAM-SHA-256-PLUS) whenever the server offers that and
 * the connection's {@link TlsServerEndPoint} is known, as libpq's channel_binding=prefer does.
 */
public final class ScramClient {

    /** Where the keys come from, once the server has named the salt and iteration count. */
    @FunctionalInterface
    public interface KeySource {
        ScramKeys keysFor(byte[] salt, int iterations) throws ScramException;
    }

    private final KeySource keys;
    private final TlsServerEndPoint binding;
    private final boolean onTls;
    private final String clientNonce;
    private final String clientFirstBare;
    private String gs2Header;
    private byte[] expectedServerSignature;

    /**
     * @param binding the server certificate's binding data, or null to not bind
     * @param onTls   whether the connection is TLS (a client that could bind but is not offered
     *                -PLUS says so with the GS2 flag 'y')
     */
    public ScramClient(KeySource keys, TlsServerEndPoint binding, boolean onTls) {
        this(keys, binding, onTls, Scram.nonce(), "");
    }

    /** With a given nonce and SCRAM user name, for the RFC's test vectors. */
    ScramClient(KeySource keys, TlsServerEndPoint binding, boolean onTls, String clientNonce, String user) {
        this.keys = keys;
        this.binding = binding;
        this.onTls = onTls;
        this.clientNonce = clientNonce;
        // PostgreSQL takes the user name from the StartupMessage; libpq leaves the SCRAM one empty.
        this.clientFirstBare = "n=" + user + ",r=" + clientNonce;
    }

    /** Keys derived from the password for whichever salt the server names. */
    public static KeySource password(String password) {
        return (salt, iterations) -> ScramKeys.fromPassword(password, salt, iterations);
    }

    /**
     * The keys a proxy recovered from a client it verified with {@code verifier}: they fit an
     * upstream exchange only where the upstream names the same salt and iteration count.
     */
    public static KeySource verified(ScramSecret verifier, ScramKeys keys) {
        return (salt, iterations) -> {
            if (!verifier.matches(salt, iterations)) {
                throw ScramException.refused("the upstream's SCRAM verifier for this role is not the one in "
                        + "pgmemo's auth file (another salt or iteration count): the password was changed");
            }
            return keys;
        };
    }

    /** The mechanism to choose from the server's list; fixes the GS2 header. */
    public String mechanism(List<String> offered) throws ScramException {
        if (binding != null && offered.contains(Scram.MECHANISM_PLUS)) {
            gs2Header = TlsServerEndPoint.gs2Header();
            return Scram.MECHANISM_PLUS;
        }
        if (!offered.contains(Scram.MECHANISM)) {
            throw ScramException.refused("the server offers no SASL mechanism pgmemo supports: " + offered);
        }
        gs2Header = onTls ? "y,," : "n,,";
        return Scram.MECHANISM;
    }

    /** The SASLInitialResponse data: the client-first-message. */
    public byte[] clientFirst() {
        if (gs2Header == null) {
            throw new IllegalStateException("choose the mechanism first");
        }
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.US_ASCII);
    }

    /** The client-final-message answering AuthenticationSASLContinue's server-first-message. */
    public byte[] clientFinal(byte[] serverFirstMessage) throws ScramException {
        String serverFirst = Scram.ascii(serverFirstMessage);
        Map<Character, String> fields = fields(serverFirst);
        String nonce = fields.get('r');
        if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()
                || fields.get('s') == null || fields.get('i') == null) {
            throw ScramException.malformed("malformed SCRAM server-first-message");
        }
        byte[] salt = Scram.fromBase64(fields.get('s'), "salt");
        int iterations;
        try {
            iterations = Integer.parseInt(fields.get('i'));
        } catch (NumberFormatException e) {
            throw ScramException.malformed("malformed SCRAM server-first-message (iteration count)");
        }
        ScramKeys derived = keys.keysFor(salt, iterations);
        TlsServerEndPoint bound = gs2Header.startsWith("p=") ? binding : null;
        String withoutProof = "c=" + Scram.base64(Scram.bindingInput(gs2Header, bound)) + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = derived.clientKey();
        byte[] proof = Scram.xor(clientKey, Scram.hmac(Scram.sha256(clientKey), authMessage));
        expectedServerSignature = Scram.hmac(derived.serverKey(), authMessage);
        return (withoutProof + ",p=" + Scram.base64(proof)).getBytes(StandardCharsets.US_ASCII);
    }

    /** AuthenticationSASLFinal's server-final-message must carry the signature only the verifier gives. */
    public void checkServerFinal(byte[] serverFinalMessage) throws ScramException {
        String serverFinal = Scram.ascii(serverFinalMessage);
        if (expectedServerSignature == null || !serverFinal.startsWith("v=")) {
            throw ScramException.malformed("malformed SCRAM server-final-message");
        }
        byte[] signature = Scram.fromBase64(serverFinal.substring(2).split(",", -1)[0], "server signature");
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw ScramException.refused("the server's SCRAM signature is wrong: it does not know the password");
        }
    }

    private static Map<Character, String> fields(String message) {
        Map<Character, String> out = new HashMap<>();
        for (String part : message.split(",", -1)) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                out.putIfAbsent(part.charAt(0), part.substring(2));
            }
        }
        return out;
    }
}

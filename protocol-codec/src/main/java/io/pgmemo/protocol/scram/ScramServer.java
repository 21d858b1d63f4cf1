package io.pgmemo.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The server side of one SCRAM-SHA-256 exchange, checked as PostgreSQL checks it (auth-scram.c):
 *
 * <pre>
 *   client-first  gs2-header n=,r=CNONCE           ──▶ {@link #serverFirst}  ──▶ r=CNONCE SNONCE,s=SALT,i=N
 *   client-final  c=GS2+BINDING,r=NONCE,p=PROOF    ──▶ {@link #serverFinal}  ──▶ v=SERVER-SIGNATURE
 * </pre>
 *
 * The proof is checked against the verifier alone; a valid one also yields the client's ClientKey
 * (ClientProof XOR ClientSignature), which lets a proxy log in upstream as that client with the
 * same verifier, the way PgBouncer's SCRAM pass-through does.
 */
public final class ScramServer {
    private final ScramSecret secret;
    private final TlsServerEndPoint binding;
    private final String serverNonce;
    private String mechanism;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private byte[] clientKey;

    /** @param binding this server's channel binding data, or null when the connection is not TLS */
    public ScramServer(ScramSecret secret, TlsServerEndPoint binding) {
        this(secret, binding, Scram.nonce());
    }

    /** With a given nonce, for the RFC's test vectors. */
    ScramServer(ScramSecret secret, TlsServerEndPoint binding, String serverNonce) {
        this.secret = secret;
        this.binding = binding;
        this.serverNonce = serverNonce;
    }

    /** AuthenticationSASL's list: SCRAM-SHA-256-PLUS first where this connection can bind. */
    public List<String> mechanisms() {
        return binding == null ? List.of(Scram.MECHANISM) : List.of(Scram.MECHANISM_PLUS, Scram.MECHANISM);
    }

    /** Reads the SASLInitialResponse and answers with the server-first-message. */
    public byte[] serverFirst(String chosenMechanism, byte[] clientFirst) throws ScramException {
        if (!mechanisms().contains(chosenMechanism)) {
            throw ScramException.malformed("client selected an invalid SASL authentication mechanism");
        }
        mechanism = chosenMechanism;
        String message = Scram.ascii(clientFirst);
        int bare = readGs2Header(message);
        clientFirstBare = message.substring(bare);
        String clientNonce = readClientNonce(clientFirstBare);
        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + Scram.base64(secret.salt()) + ",i=" + secret.iterations();
        return serverFirst.getBytes(StandardCharsets.US_ASCII);
    }

    /** Checks the client-final-message; on success returns the server-final-message. */
    public byte[] serverFinal(byte[] clientFinal) throws ScramException {
        if (serverFirst == null) {
            throw ScramException.malformed("SCRAM client-final-message before client-first-message");
        }
        String message = Scram.ascii(clientFinal);
        int proofAt = message.lastIndexOf(",p=");
        if (!message.startsWith("c=") || proofAt < 0) {
            throw ScramException.malformed("malformed SCRAM message (client-final-message)");
        }
        String withoutProof = message.substring(0, proofAt);
        String[] parts = withoutProof.split(",", -1);
        if (parts.length < 2 || !parts[1].startsWith("r=")) {
            throw ScramException.malformed("malformed SCRAM message (no nonce in client-final-message)");
        }
        checkBinding(Scram.fromBase64(parts[0].substring(2), "channel binding"));
        if (!parts[1].substring(2).equals(nonce)) {
            throw ScramException.malformed("SCRAM nonce mismatch");
        }
        byte[] proof = Scram.fromBase64(message.substring(proofAt + 3), "proof");
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        verify(proof, authMessage);
        return ("v=" + Scram.base64(Scram.hmac(secret.serverKey(), authMessage))).getBytes(StandardCharsets.US_ASCII);
    }

    /** The keys to log in elsewhere with the same verifier; only after {@link #serverFinal} succeeded. */
    public ScramKeys keys() {
        if (clientKey == null) {
            throw new IllegalStateException("the client has not proven its password");
        }
        return new ScramKeys(clientKey, secret.serverKey());
    }

    /** Returns where client-first-message-bare starts; checks the GS2 flag against the mechanism. */
    private int readGs2Header(String message) throws ScramException {
        int flagEnd = message.indexOf(',');
        if (flagEnd < 1) {
            throw ScramException.malformed("malformed SCRAM message (no GS2 header)");
        }
        String flag = message.substring(0, flagEnd);
        boolean plus = Scram.MECHANISM_PLUS.equals(mechanism);
        if (flag.startsWith("p=")) {
            if (!plus) {
                throw ScramException.malformed("The client selected SCRAM-SHA-256 without channel binding, but "
                        + "the SCRAM message includes channel binding data.");
            }
            if (!flag.equals("p=" + TlsServerEndPoint.TYPE)) {
                throw ScramException.malformed("unsupported SCRAM channel-binding type \"" + flag.substring(2) + "\"");
            }
        } else if (plus) {
            throw ScramException.malformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does "
                    + "not include channel binding data.");
        } else if (flag.equals("y") && binding != null) {
            throw ScramException.malformed("SCRAM channel binding negotiation error: the client supports channel "
                    + "binding but thinks the server does not; this server does support it.");
        } else if (!flag.equals("y") && !flag.equals("n")) {
            throw ScramException.malformed("malformed SCRAM message (unexpected channel-binding flag)");
        }
        int authzidEnd = message.indexOf(',', flagEnd + 1);
        if (authzidEnd < 0) {
            throw ScramException.malformed("malformed SCRAM message (no authzid field)");
        }
        if (authzidEnd > flagEnd + 1) {
            throw ScramException.notSupported("client uses authorization identity, but it is not supported");
        }
        gs2Header = message.substring(0, authzidEnd + 1);
        return authzidEnd + 1;
    }

    /** PostgreSQL ignores the SCRAM user name (the StartupMessage's counts); the nonce is what matters. */
    private static String readClientNonce(String bare) throws ScramException {
        if (bare.startsWith("m=")) {
            throw ScramException.notSupported("client requires an unsupported SCRAM extension");
        }
        String[] parts = bare.split(",", -1);
        if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=") || parts[1].length() < 3) {
            throw ScramException.malformed("malformed SCRAM message (client-first-message-bare)");
        }
        return parts[1].substring(2);
    }

    private void checkBinding(byte[] received) throws ScramException {
        byte[] expected = Scram.bindingInput(gs2Header, Scram.MECHANISM_PLUS.equals(mechanism) ? binding : null);
        if (!MessageDigest.isEqual(expected, received)) {
            throw ScramException.malformed("SCRAM channel binding check failed");
        }
    }

    /** StoredKey must equal H(ClientProof XOR HMAC(StoredKey, AuthMessage)); that XOR is ClientKey. */
    private void verify(byte[] proof, String authMessage) throws ScramException {
        byte[] storedKey = secret.storedKey();
        if (proof.length != storedKey.length) {
            throw ScramException.malformed("malformed SCRAM message (invalid proof length)");
        }
        byte[] candidate = Scram.xor(proof, Scram.hmac(storedKey, authMessage));
        if (!MessageDigest.isEqual(Scram.sha256(candidate), storedKey)) {
            throw ScramException.invalidProof();
        }
        clientKey = candidate;
    }
}

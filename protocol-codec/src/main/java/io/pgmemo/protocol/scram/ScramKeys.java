package io.pgmemo.protocol.scram;

/**
 * What a SCRAM client needs to log in: ClientKey to sign with and ServerKey to check the server's
 * signature. A password yields both for any salt; a proxy that verified a client holds them for
 * that client's verifier only (ClientKey recovered from the client's proof).
 */
public record ScramKeys(byte[] clientKey, byte[] serverKey) {

    public ScramKeys {
        clientKey = clientKey.clone();
        serverKey = serverKey.clone();
    }

    /** ClientKey = HMAC(SaltedPassword, "Client Key"); ServerKey = HMAC(SaltedPassword, "Server Key"). */
    public static ScramKeys fromPassword(String password, byte[] salt, int iterations) {
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        return new ScramKeys(Scram.hmac(salted, "Client Key"), Scram.hmac(salted, "Server Key"));
    }

    @Override
    public byte[] clientKey() {
        return clientKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public String toString() {
        return "ScramKeys[hidden]";
    }
}

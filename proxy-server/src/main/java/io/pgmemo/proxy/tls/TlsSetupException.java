package io.pgmemo.proxy.tls;

/** A TLS file given at start-up cannot be used; the message names the file and says why. */
public final class TlsSetupException extends RuntimeException {
    public TlsSetupException(String message) {
        super(message);
    }
}

package io.pgmemo.proxy.auth;

/** pgmemo cannot log in upstream for a client it authenticated; the message says why, for the operator. */
public final class UpstreamLoginException extends Exception {
    public UpstreamLoginException(String message) {
        super(message);
    }
}

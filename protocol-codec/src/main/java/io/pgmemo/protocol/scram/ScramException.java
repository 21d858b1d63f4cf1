package io.pgmemo.protocol.scram;

import io.pgmemo.protocol.SqlState;

/** A SCRAM exchange cannot go on; {@link #sqlState()} is the code PostgreSQL would end the login with. */
public final class ScramException extends Exception {
    private final String sqlState;

    private ScramException(String sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    static ScramException malformed(String message) {
        return new ScramException(SqlState.PROTOCOL_VIOLATION, message);
    }

    static ScramException invalidProof() {
        return new ScramException(SqlState.INVALID_PASSWORD, "SCRAM proof does not match");
    }

    static ScramException notSupported(String message) {
        return new ScramException(SqlState.FEATURE_NOT_SUPPORTED, message);
    }

    static ScramException refused(String message) {
        return new ScramException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, message);
    }

    public String sqlState() {
        return sqlState;
    }
}

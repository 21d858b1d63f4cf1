package io.pgmemo.proxy.auth;

import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.scram.ScramException;

/** The FATAL errors that end a login pgmemo runs itself, worded as PostgreSQL words them. */
public final class LoginErrors {
    private LoginErrors() {
    }

    /** A wrong password gets exactly PostgreSQL's message; a malformed exchange, what was wrong. */
    public static ErrorResponse clientRefused(String user, ScramException cause) {
        String message = SqlState.INVALID_PASSWORD.equals(cause.sqlState())
                ? "password authentication failed for user \"" + user + "\"" : cause.getMessage();
        return ErrorResponse.builder().severity("FATAL").code(cause.sqlState()).message(message).build();
    }

    /** The client proved its password to pgmemo, but pgmemo cannot log in upstream with it. */
    public static ErrorResponse upstreamRefused(String user, UpstreamLoginException cause) {
        return ErrorResponse.builder().severity("FATAL").code(SqlState.INVALID_AUTHORIZATION_SPECIFICATION)
                .message("pgmemo could not log in to the upstream as user \"" + user + "\"")
                .detail(cause.getMessage())
                .build();
    }
}

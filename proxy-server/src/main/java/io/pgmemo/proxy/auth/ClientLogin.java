package io.pgmemo.proxy.auth;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.frontend.SaslInitialResponse;
import io.pgmemo.protocol.frontend.SaslResponse;
import io.pgmemo.protocol.scram.ScramException;
import io.pgmemo.protocol.scram.ScramKeys;
import io.pgmemo.protocol.scram.ScramServer;
import io.pgmemo.protocol.scram.TlsServerEndPoint;

/**
 * pgmemo as the server of a client's SCRAM login, for a user of the {@link AuthFile}:
 *
 * <pre>
 *   pgmemo ──AuthenticationSASL (SCRAM-SHA-256-PLUS on TLS, SCRAM-SHA-256)──▶ client
 *   client ──SASLInitialResponse──▶ pgmemo ──AuthenticationSASLContinue──▶ client
 *   client ──SASLResponse──────────▶ pgmemo ──AuthenticationSASLFinal─────▶ client
 * </pre>
 *
 * The binding is to pgmemo's own certificate, the one the client sees, so a client at
 * channel_binding=prefer or require binds. AuthenticationOk follows once {@link UpstreamLogin} is in.
 */
public final class ClientLogin {
    private final ScramServer scram;
    private int responses;

    /** @param binding pgmemo's certificate binding on this client connection, or null in plaintext */
    public ClientLogin(LoginSecret secret, TlsServerEndPoint binding) {
        this.scram = new ScramServer(secret.verifier(), binding);
    }

    public Authentication offer() {
        return Authentication.sasl(scram.mechanisms());
    }

    /**
     * The answer to the client's next 'p' message body: AuthenticationSASLContinue, then
     * AuthenticationSASLFinal, after which {@link #isDone()}. A malformed body throws
     * ProtocolViolationException; a wrong proof, ScramException.
     */
    public Authentication answer(ByteBuf body) throws ScramException {
        responses++;
        if (responses == 1) {
            SaslInitialResponse initial = SaslInitialResponse.decode(body);
            return new Authentication(Authentication.SASL_CONTINUE, scram.serverFirst(initial.mechanism(),
                    initial.data()));
        }
        if (responses == 2) {
            return new Authentication(Authentication.SASL_FINAL, scram.serverFinal(SaslResponse.decode(body).data()));
        }
        throw new IllegalStateException("the client's login is already done");
    }

    public boolean isDone() {
        return responses == 2;
    }

    /** What the client proved, for the upstream login. */
    public ScramKeys keys() {
        return scram.keys();
    }
}

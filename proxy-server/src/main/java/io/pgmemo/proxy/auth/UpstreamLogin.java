package io.pgmemo.proxy.auth;

import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.PasswordMessage;
import io.pgmemo.protocol.frontend.SaslInitialResponse;
import io.pgmemo.protocol.frontend.SaslResponse;
import io.pgmemo.protocol.scram.ScramClient;
import io.pgmemo.protocol.scram.ScramException;
import io.pgmemo.protocol.scram.ScramKeys;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import java.util.Arrays;

/**
 * pgmemo as the client of the upstream's login, for a client {@link ClientLogin} verified: it
 * answers each Authentication request the upstream sends until AuthenticationOk, with the keys
 * the client proved (SCRAM, binding to the upstream's certificate when offered) or, where the auth
 * file holds it, the password (SCRAM with any salt, md5, cleartext).
 */
public final class UpstreamLogin {
    private final String user;
    private final LoginSecret secret;
    private final ScramKeys proven;
    private final TlsServerEndPoint binding;
    private final boolean onTls;
    private ScramClient scram;

    /** @param binding the upstream certificate's binding, or null when the upstream connection is not TLS */
    public UpstreamLogin(String user, LoginSecret secret, ScramKeys proven, TlsServerEndPoint binding, boolean onTls) {
        this.user = user;
        this.secret = secret;
        this.proven = proven;
        this.binding = binding;
        this.onTls = onTls;
    }

    /** The reply to an Authentication request other than AuthenticationOk; null when none is due. */
    public FrontendMessage answer(Authentication request) throws UpstreamLoginException {
        try {
            return switch (request.code()) {
                case Authentication.SASL -> start(request);
                case Authentication.SASL_CONTINUE -> new SaslResponse(scram().clientFinal(request.data()));
                case Authentication.SASL_FINAL -> {
                    scram().checkServerFinal(request.data());
                    yield null;
                }
                case Authentication.MD5_PASSWORD -> new PasswordMessage(require(
                        secret.md5Response(user, Arrays.copyOf(request.data(), 4)), "an md5 password"));
                case Authentication.CLEARTEXT_PASSWORD -> new PasswordMessage(require(secret.cleartext(),
                        "a cleartext password"));
                default -> throw new UpstreamLoginException("the upstream asks for authentication request "
                        + request.code() + ", which pgmemo cannot answer for a client it authenticated");
            };
        } catch (ScramException e) {
            throw new UpstreamLoginException(e.getMessage());
        }
    }

    private SaslInitialResponse start(Authentication request) throws ScramException {
        scram = new ScramClient(secret.upstreamKeys(proven), binding, onTls);
        String mechanism = scram.mechanism(request.saslMechanisms());
        return new SaslInitialResponse(mechanism, scram.clientFirst());
    }

    private ScramClient scram() throws UpstreamLoginException {
        if (scram == null) {
            throw new UpstreamLoginException("the upstream continued a SASL exchange it never started");
        }
        return scram;
    }

    private String require(String answer, String what) throws UpstreamLoginException {
        if (answer == null) {
            throw new UpstreamLoginException("the upstream asks for " + what + ", but pgmemo's auth file holds "
                    + "only a SCRAM verifier for this role: give its password there, or have the upstream "
                    + "ask for scram-sha-256");
        }
        return answer;
    }
}

package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.ProtocolViolationException;
import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.scram.ScramException;
import io.pgmemo.protocol.scram.ScramKeys;
import io.pgmemo.protocol.scram.TlsServerEndPoint;
import io.pgmemo.proxy.auth.ClientLogin;
import io.pgmemo.proxy.auth.LoginErrors;
import io.pgmemo.proxy.auth.LoginSecret;
import io.pgmemo.proxy.auth.UpstreamLogin;
import io.pgmemo.proxy.auth.UpstreamLoginException;
import io.pgmemo.proxy.tls.UpstreamTls;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login of a user in the auth file, which pgmemo runs itself instead of relaying it:
 *
 * <pre>
 *   CLIENT ──the client proved its password ({@link ClientLogin})──▶ connect upstream
 *   UPSTREAM ──pgmemo logged in with what it proved ({@link UpstreamLogin})──▶ AuthenticationOk to the client
 * </pre>
 *
 * Until then nothing of the client is relayed and nothing of the upstream's login reaches the client.
 */
final class LocalLogin {
    private static final Logger log = LoggerFactory.getLogger(LocalLogin.class);
    /** PostgreSQL's default authentication_timeout: a client that stops answering is not kept. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Session session;
    private final Channel client;
    private final String user;
    private final LoginSecret secret;
    private final ScheduledFuture<?> timeout;
    private ClientLogin clientLogin;
    /** What the client proved, from then until the upstream's AuthenticationOk. */
    private ScramKeys proven;
    /** Once the upstream connection is ready: its TLS, and so its binding, is known then. */
    private UpstreamLogin upstreamLogin;

    /**
     * Starts it: the client gets AuthenticationSASL.
     *
     * @param binding pgmemo's certificate binding on this client connection, or null in plaintext
     */
    LocalLogin(Session session, Channel client, String user, LoginSecret secret, TlsServerEndPoint binding) {
        this.session = session;
        this.client = client;
        this.user = user;
        this.secret = secret;
        this.clientLogin = new ClientLogin(secret, binding);
        session.writeToClient(clientLogin.offer());
        client.flush();
        timeout = client.eventLoop().schedule(this::onTimeout, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onTimeout() {
        if (clientLogin != null || proven != null) {
            log.info("session {}: login of user {} timed out", client.id(), user);
            session.fail(ErrorResponse.fatal(SqlState.QUERY_CANCELED, "canceling authentication due to timeout"));
        }
    }

    /** The client has not proven its password yet: its frames come here. */
    boolean checkingClient() {
        return clientLogin != null;
    }

    /** pgmemo is logging in upstream: Authentication requests come here, and the client waits. */
    boolean loggingInUpstream() {
        return proven != null;
    }

    void onClientFrame(Frame frame) {
        try {
            if (frame.frontendType() == FrontendType.TERMINATE) {
                session.fail(null);
            } else if (frame.frontendType() != FrontendType.PASSWORD) {
                session.fail(ErrorResponse.protocolViolation("expected SASL response, got message type "
                        + (char) frame.type()));
            } else {
                answerClient(frame.body());
            }
        } catch (ProtocolViolationException e) {
            session.fail(ErrorResponse.protocolViolation(e.getMessage()));
        } catch (ScramException e) {
            log.info("session {}: refused login of user {}: {}", client.id(), user, e.getMessage());
            session.fail(LoginErrors.clientRefused(user, e));
        } finally {
            frame.release();
        }
    }

    private void answerClient(ByteBuf body) throws ScramException {
        session.writeToClient(clientLogin.answer(body));
        client.flush();
        if (clientLogin.isDone()) {
            proven = clientLogin.keys();
            clientLogin = null;
            session.connectUpstream();
        }
    }

    /** The upstream connection is ready for the StartupMessage: its TLS, if any, is known now. */
    void upstreamConnected(Channel upstream) {
        upstreamLogin = new UpstreamLogin(user, secret, proven, UpstreamTls.bindingOf(upstream.pipeline()),
                UpstreamTls.isEncrypted(upstream.pipeline()));
    }

    /**
     * Answers an Authentication request of the upstream; false for AuthenticationOk, which the
     * caller relays to the client.
     */
    boolean consumed(Frame frame, Authentication request, Channel upstream) {
        if (request.isOk()) {
            proven = null;
            upstreamLogin = null;
            timeout.cancel(false);
            return false;
        }
        frame.release();
        try {
            FrontendMessage answer = upstreamLogin.answer(request);
            if (answer != null) {
                ByteBuf out = upstream.alloc().buffer();
                answer.encode(out);
                upstream.writeAndFlush(out, upstream.voidPromise());
            }
        } catch (UpstreamLoginException e) {
            log.warn("session {}: cannot log in to the upstream as user {}: {}", client.id(), user, e.getMessage());
            session.fail(LoginErrors.upstreamRefused(user, e));
        }
        return true;
    }
}

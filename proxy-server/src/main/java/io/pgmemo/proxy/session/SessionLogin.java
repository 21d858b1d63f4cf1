package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.backend.BackendMessage;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.startup.StartupMessage;
import io.pgmemo.proxy.auth.AuthFile;
import io.pgmemo.proxy.auth.LoginSecret;
import io.pgmemo.proxy.tls.ClientTls;
import io.pgmemo.proxy.tls.UpstreamTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a session logs in. Most clients log in to the upstream itself: its authentication exchange is
 * relayed unchanged, except that a SASL offer loses SCRAM-SHA-256-PLUS, since channel binding cannot
 * pass a proxy ({@link ChannelBinding}). A user of the auth file logs in to pgmemo, which then logs in
 * upstream for it ({@link LocalLogin}).
 */
final class SessionLogin {
    private static final Logger log = LoggerFactory.getLogger(SessionLogin.class);

    private final Session session;
    private final Channel client;
    private final FrontendDecoder decoder;
    private final AuthFile logins;
    private final ClientTls tls;
    private Channel upstream;
    /** The upstream offered SASL: the client's next PasswordMessage is its SASLInitialResponse. */
    private boolean saslOffered;
    /** For a user of the auth file: pgmemo checks the client itself, then logs in upstream for it. */
    private LocalLogin localLogin;

    SessionLogin(Session session, Channel client, FrontendDecoder decoder, AuthFile logins, ClientTls tls) {
        this.session = session;
        this.client = client;
        this.decoder = decoder;
        this.logins = logins;
        this.tls = tls;
    }

    /** True if pgmemo checks this user itself, before connecting upstream; else the upstream does. */
    boolean checksLocally(StartupMessage startup) {
        LoginSecret secret = logins.secretOf(startup.user());
        if (secret == null) {
            return false;
        }
        localLogin = new LocalLogin(session, client, startup.user(), secret, tls.bindingOf(client.pipeline()));
        return true;
    }

    void upstreamConnected(Channel upstream) {
        this.upstream = upstream;
        if (localLogin != null) {
            localLogin.upstreamConnected(upstream);
        }
    }

    /** pgmemo is logging in upstream for a user it checked: the client waits for AuthenticationOk. */
    boolean loggingIn() {
        return localLogin != null && localLogin.loggingInUpstream();
    }

    /** Takes a client message while pgmemo checks the client itself (true), which goes nowhere else. */
    boolean takesClientFrame(Frame frame) {
        if (localLogin == null || !localLogin.checkingClient()) {
            return false;
        }
        localLogin.onClientFrame(frame);
        return true;
    }

    /**
     * True if the client's message ended the session: a SASLInitialResponse that asks for channel
     * binding the proxy cannot give ({@link ChannelBinding}).
     */
    boolean refuses(Frame frame) {
        if (!saslOffered || frame.frontendType() != FrontendType.PASSWORD) {
            return false;
        }
        saslOffered = false;
        boolean upstreamOnTls = upstream.pipeline().get(UpstreamTls.HANDLER_NAME) != null;
        ErrorResponse refusal = ChannelBinding.refusal(frame, upstreamOnTls);
        if (refusal == null) {
            return false;
        }
        frame.release();
        log.info("session {}: refused SCRAM channel binding for user {}", client.id(), session.user());
        session.fail(refusal);
        return true;
    }

    /** Takes an upstream message of pgmemo's own login for a user it checked (true), which the client never sees. */
    boolean takesUpstreamFrame(Frame frame) {
        return loggingIn() && frame.backendType() == BackendType.AUTHENTICATION
                && localLogin.consumed(frame, (Authentication) BackendMessage.decode(frame), upstream);
    }

    /** What goes to the client of an Authentication message: the frame itself, or a SASL offer without channel binding. */
    ByteBuf onAuthentication(Frame frame) {
        Authentication authentication = (Authentication) BackendMessage.decode(frame);
        if (authentication.isOk()) {
            decoder.authenticated();
            client.config().setAutoRead(upstream.isWritable());
            log.debug("session {}: authenticated as {}", client.id(), session.user());
        } else if (authentication.code() == Authentication.SASL) {
            saslOffered = true;
            return ChannelBinding.offerToClient(frame, authentication, client.alloc());
        }
        return frame.content();
    }
}

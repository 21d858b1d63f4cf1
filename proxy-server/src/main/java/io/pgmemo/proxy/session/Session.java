package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendDecoder;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.backend.BackendKeyData;
import io.pgmemo.protocol.backend.BackendMessage;
import io.pgmemo.protocol.backend.ErrorResponse;
import io.pgmemo.protocol.frontend.Terminate;
import io.pgmemo.protocol.startup.StartupMessage;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.cache.SessionCache;
import io.pgmemo.proxy.reply.Expected;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client session relayed to its own upstream connection.
 *
 * <pre>
 *   client ──StartupMessage──▶ proxy ──connect, StartupMessage──▶ upstream
 *   client ◀──────── authentication exchange, relayed unchanged ────────▶ upstream
 *            (a user of the auth file logs in to pgmemo, then pgmemo upstream: {@link LocalLogin})
 *   client ◀── AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery ── upstream
 *   client ◀─────────────── every later message, both ways ───────────────▶ upstream
 * </pre>
 *
 * Both channels run on the same event loop, so no field needs synchronisation. Frames are
 * forwarded as the retained slices they arrived in and flushed once per read batch. Each side's
 * autoRead follows the other side's writability, so a slow reader is never buffered for.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final Channel client;
    private final FrontendDecoder decoder;
    private final UpstreamConnector connector;
    private final SessionRegistry registry;
    private final QueryCache queryCache;
    private final SessionLogin login;
    private final boolean deferBegin;
    private final Queue<Frame> beforeConnect = new ArrayDeque<>();
    private SessionCache cache;
    /** Answers a BEGIN at once and sends it with the next request; null when off. */
    private DeferredBegin deferredBegin;

    private Channel upstream;
    private CancelKey cancelKey;
    private StartupMessage startup;
    /** What the session expects from upstream, in order, cache on or off. */
    private final ReplyQueue replies;
    private boolean draining;
    /** A client or upstream message is being handled: a BEGIN deferred meanwhile is answered after it. */
    private boolean handling;
    private boolean closed;

    Session(Channel client, FrontendDecoder decoder, SessionServices services) {
        this.client = client;
        this.decoder = decoder;
        this.connector = services.connector();
        this.registry = services.registry();
        this.queryCache = services.queryCache();
        this.login = new SessionLogin(this, client, decoder, services.logins(), services.tls());
        this.deferBegin = services.deferBegin();
        this.replies = new ReplyQueue(client);
    }

    String user() {
        return startup.user();
    }

    CancelKey cancelKey() {
        return cancelKey;
    }

    /** Bytes waiting in this session's outbound buffers, both directions. Approximate from other threads. */
    public long bufferedBytes() {
        return pendingBytes(client) + pendingBytes(upstream);
    }

    private static long pendingBytes(Channel channel) {
        if (channel == null) {
            return 0;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    // ---- client side -------------------------------------------------------------------------

    void onStartup(StartupMessage message) {
        startup = message;
        if (queryCache != null) {
            cache = new SessionCache(queryCache, client, replies, this::sendUpstream);
            cache.startupDatabase(message.database());
        }
        if (!login.checksLocally(message)) {
            connectUpstream();
        }
    }

    void connectUpstream() {
        client.config().setAutoRead(false);
        log.debug("session {}: user={} database={} connecting to upstream {}", client.id(), startup.user(),
                startup.database(), connector.upstream());
        connector.connect(client.eventLoop(), this).addListener((FutureListener<Channel>) this::onUpstreamConnect);
    }

    private void onUpstreamConnect(Future<Channel> future) {
        if (!future.isSuccess()) {
            String reason = future.cause() == null ? "cancelled" : future.cause().getMessage();
            log.warn("session {}: cannot connect to upstream {}: {}", client.id(), connector.upstream(), reason);
            fail(ErrorResponse.cannotConnect("pgmemo could not connect to the upstream server at "
                    + connector.upstream() + ": " + reason));
            return;
        }
        upstream = future.getNow();
        registry.track(upstream);
        if (closed || !client.isActive()) {
            upstream.close();
            return;
        }
        if (deferBegin) {
            deferredBegin = new DeferredBegin(upstream, cache == null ? null : cache::upstreamStatement);
        }
        if (cache != null) {
            cache.upstreamConnected(upstream, this::writeOwn);
        }
        login.upstreamConnected(upstream);
        ByteBuf packet = upstream.alloc().buffer();
        startup.encode(packet);
        upstream.write(packet, upstream.voidPromise());
        Frame frame;
        while ((frame = beforeConnect.poll()) != null) {
            route(frame);
        }
        upstream.flush();
        upstream.config().setAutoRead(true);
        // A client pgmemo authenticated waits for AuthenticationOk: nothing of it is read before.
        client.config().setAutoRead(!login.loggingIn() && upstream.isWritable());
    }

    void onClientFrame(Frame frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (login.takesClientFrame(frame)) {
            return;
        }
        if (upstream == null) {
            beforeConnect.add(frame);
            return;
        }
        route(frame);
    }

    private void route(Frame frame) {
        if (login.refuses(frame)) {
            return;
        }
        handling = true;
        try {
            if (cache != null && decoder.state() == FrontendDecoder.State.READY) {
                cache.onClientFrame(frame);
            } else {
                sendUpstream(frame, null);
            }
        } finally {
            handling = false;
        }
        answerBeginIfDue();
    }

    /**
     * Answers a BEGIN that was just deferred, once the message handling that sent it is over (the
     * answer's ReadyForQuery reaches the cache, which must not be in the middle of sending).
     */
    private void answerBeginIfDue() {
        if (deferredBegin == null || closed) {
            return;
        }
        try {
            deferredBegin.answerIfDue(replies);
        } catch (RepliesOutOfStep drift) {
            outOfStep(drift);
        }
    }

    private void writeOwn(ByteBuf requests) {
        if (deferredBegin != null) {
            deferredBegin.writeOwn(requests);
        } else {
            upstream.writeAndFlush(requests, upstream.voidPromise());
        }
    }

    void writeToClient(BackendMessage message) {
        ByteBuf out = client.alloc().buffer();
        message.encode(out);
        client.write(out, client.voidPromise());
    }

    /** Sends a client message upstream; {@code expected} is what answers it (null: a plain relay), see {@link ReplyQueue#sent}. */
    private void sendUpstream(Frame frame, Expected expected) {
        FrontendType type = frame.frontendType();
        if (log.isTraceEnabled()) {
            log.trace("session {}: FE=> {}", client.id(), type);
        }
        boolean idle = deferredBegin != null && replies.idle();
        replies.sent(type, expected);
        if (deferredBegin != null && deferredBegin.takes(frame, idle)) {
            if (!handling && deferredBegin.answerDue()) {
                // Sent from a task of the cache's own (a flight landed): answer once it is over.
                client.eventLoop().execute(this::answerBeginIfDue);
            }
            return;
        }
        upstream.write(frame.content(), upstream.voidPromise());
        if (type == FrontendType.TERMINATE) {
            closed = true;
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void flushUpstream() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    void clientWritabilityChanged() {
        if (upstream != null) {
            upstream.config().setAutoRead(client.isWritable());
        }
    }

    void clientClosed() {
        closed = true;
        releasePending();
        registry.remove(this);
        terminateUpstream();
        log.debug("session {}: closed by client", client.id());
    }

    // ---- upstream side -----------------------------------------------------------------------

    void onUpstreamFrame(Frame frame) {
        if (login.takesUpstreamFrame(frame)) {
            return;
        }
        BackendType type = frame.backendType();
        if (log.isTraceEnabled()) {
            log.trace("session {}: <=BE {}", client.id(), type);
        }
        ByteBuf toClient = frame.content();
        switch (type) {
            case AUTHENTICATION -> toClient = login.onAuthentication(frame);
            case BACKEND_KEY_DATA -> onBackendKeyData(frame);
            default -> { }
        }
        try {
            if (deferredBegin != null && !relaysAfterBegin(frame, type, toClient)) {
                return;
            }
            handling = true;
            replies.onReply(frame, toClient);
        } catch (RepliesOutOfStep drift) {
            outOfStep(drift);
            return;
        } finally {
            handling = false;
        }
        answerBeginIfDue();
        if (draining && isIdle()) {
            terminate(ErrorResponse.shuttingDown());
        }
    }

    /** False if the reply answers a deferred BEGIN, so is not relayed (or ends the session: the BEGIN failed). */
    private boolean relaysAfterBegin(Frame frame, BackendType type, ByteBuf toClient) throws RepliesOutOfStep {
        DeferredBegin.Reply reply;
        try {
            reply = deferredBegin.onReply(type);
        } catch (RepliesOutOfStep drift) {
            toClient.release();
            throw drift;
        }
        if (reply == DeferredBegin.Reply.RELAY) {
            return true;
        }
        if (reply == DeferredBegin.Reply.FAILED) {
            ErrorResponse error = (ErrorResponse) BackendMessage.decode(frame);
            log.warn("session {}: a BEGIN answered before it ran failed upstream ({}); ending the session",
                    client.id(), error.code());
            fail(error);
        }
        toClient.release();
        return false;
    }

    private void outOfStep(RepliesOutOfStep drift) {
        log.warn("session {}: {}; ending the session", client.id(), drift.getMessage());
        fail(ErrorResponse.protocolViolation(drift.getMessage()));
    }

    private void onBackendKeyData(Frame frame) {
        BackendKeyData keyData = (BackendKeyData) BackendMessage.decode(frame);
        cancelKey = new CancelKey(keyData.processId(), keyData.secretKey());
        registry.registerCancelKey(cancelKey, this);
    }

    void flushClient() {
        client.flush();
    }

    void upstreamWritabilityChanged() {
        client.config().setAutoRead(upstream.isWritable());
    }

    void upstreamClosed() {
        if (!closed) {
            log.debug("session {}: upstream closed the connection", client.id());
        }
        closed = true;
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- ending ------------------------------------------------------------------------------

    /** Sends the client an ErrorResponse and closes both sides. */
    void fail(ErrorResponse error) {
        terminate(error);
    }

    /** Ends the session when it next has nothing in flight; at once if it is idle now. */
    public void drain() {
        client.eventLoop().execute(() -> {
            draining = true;
            if (isIdle() || !replies.readyForQuerySeen()) {
                terminate(ErrorResponse.shuttingDown());
            }
        });
    }

    /** Ends the session now, in flight or not. */
    public void terminateNow() {
        client.eventLoop().execute(() -> terminate(ErrorResponse.shuttingDown()));
    }

    private boolean isIdle() {
        return replies.idle() && (cache == null || !cache.isBusy());
    }

    private void terminate(ErrorResponse error) {
        boolean wasClosed = closed;
        closed = true;
        releasePending();
        if (client.isActive() && !wasClosed && error != null) {
            ByteBuf message = client.alloc().buffer();
            error.encode(message);
            client.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
        } else {
            client.close();
        }
        terminateUpstream();
    }

    /** Ends the upstream backend politely: Terminate, then close. */
    private void terminateUpstream() {
        if (upstream != null && upstream.isActive()) {
            ByteBuf terminate = upstream.alloc().buffer(5);
            Terminate.INSTANCE.encode(terminate);
            upstream.writeAndFlush(terminate).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releasePending() {
        if (cache != null) {
            cache.close();
        }
        replies.clear();
        if (deferredBegin != null) {
            deferredBegin.releaseAll();
        }
        Frame frame;
        while ((frame = beforeConnect.poll()) != null) {
            frame.release();
        }
    }
}

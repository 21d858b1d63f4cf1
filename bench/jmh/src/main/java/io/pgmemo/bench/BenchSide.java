package io.pgmemo.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgmemo.protocol.Frame;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.cache.SessionCache;
import io.pgmemo.proxy.reply.Expected;
import io.pgmemo.proxy.reply.RepliesOutOfStep;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One session's client and upstream channels and its reply queue, as the session benchmarks drive
 * them: {@link EmbeddedChannel}s, so what is written is flushed, taken and released, with no socket.
 */
record BenchSide(EmbeddedChannel client, EmbeddedChannel upstream, ReplyQueue replies) {

    static BenchSide open() {
        EmbeddedChannel client = new EmbeddedChannel();
        return new BenchSide(client, new EmbeddedChannel(), new ReplyQueue(client));
    }

    /** A SessionCache on this side's channels, as Session makes one: its database named, its upstream connected. */
    SessionCache sessionCache(QueryCache cache, String database) {
        SessionCache session = new SessionCache(cache, client, replies, this::sendUpstream);
        session.startupDatabase(database);
        session.upstreamConnected(upstream, requests -> upstream.writeAndFlush(requests, upstream.voidPromise()));
        return session;
    }

    /** Ends the startup's replies, which the queue expects first, with {@code readyForQuery}. */
    void startedUp(Frame readyForQuery) throws RepliesOutOfStep {
        replies.onReply(readyForQuery, readyForQuery.content());
        expectWritten(client, 1);
    }

    /** What Session.sendUpstream does: note the message in the queue, write it upstream. */
    void sendUpstream(Frame frame, Expected expected) {
        replies.sent(frame.frontendType(), expected);
        upstream.write(frame.content(), upstream.voidPromise());
    }

    /**
     * Sends what the session wrote upstream to PostgreSQL and hands back its replies, until the session
     * expects nothing more; each reply goes to {@code copy} first (null: none). Returns the number of
     * buffers sent.
     */
    int pump(PostgresSocket socket, Consumer<Frame> copy) throws IOException, RepliesOutOfStep {
        int requests = 0;
        while (true) {
            upstream.flush();
            ByteBuf sent;
            while ((sent = upstream.readOutbound()) != null) {
                socket.send(sent);
                sent.release();
                requests++;
            }
            if (replies.awaitingUpstream() == 0) {
                return requests;
            }
            Frame reply = socket.read();
            if (copy != null) {
                copy.accept(reply);
            }
            replies.onReply(reply, reply.content());
        }
    }

    /** Takes and releases what the session wrote upstream; returns how many buffers. */
    int takeSent() {
        return drain(upstream);
    }

    /**
     * Flushes the channel (once per read batch, as the session does), takes and releases what it
     * wrote; fails unless that is {@code expected} buffers (-1: any).
     */
    static int expectWritten(EmbeddedChannel channel, int expected) {
        int written = drain(channel);
        if (expected >= 0 && written != expected) {
            throw new IllegalStateException("the client got " + written + " buffers, not " + expected);
        }
        return written;
    }

    /** Flushes the channel, takes and releases what it wrote; returns how many buffers. */
    private static int drain(EmbeddedChannel channel) {
        channel.flush();
        int taken = 0;
        Object message;
        while ((message = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(message);
            taken++;
        }
        return taken;
    }

    void close() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }
}

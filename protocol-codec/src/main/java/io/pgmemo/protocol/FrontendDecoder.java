package io.pgmemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmemo.protocol.startup.CancelRequest;
import io.pgmemo.protocol.startup.GssEncRequest;
import io.pgmemo.protocol.startup.SslRequest;
import io.pgmemo.protocol.startup.StartupMessage;
import io.pgmemo.protocol.startup.StartupPacket;
import java.util.List;

/**
 * Cuts the client's byte stream into messages: {@link StartupPacket}s first, then typed
 * {@link Frame}s, each a retained slice of the input (no copy).
 *
 * <pre>
 *   STARTUP ──SSLRequest/GSSENCRequest──▶ STARTUP     (the session answers 'N')
 *      │ ──CancelRequest──▶ DONE                      (the session forwards it and closes)
 *      │ ──StartupMessage──▶ AUTHENTICATING
 *   AUTHENTICATING ──{@link #authenticated()}──▶ READY (after the upstream's AuthenticationOk)
 *   any ──malformed or oversized──▶ DONE              (ProtocolViolationException)
 * </pre>
 *
 * Limits are hard and depend on the state, so an unauthenticated peer cannot make the proxy
 * buffer more than a few kilobytes.
 */
public final class FrontendDecoder extends ByteToMessageDecoder {

    /** PostgreSQL's own MAX_STARTUP_PACKET_LENGTH. */
    public static final int MAX_STARTUP_PACKET = 10_000;
    /** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, plus the header: the largest password or SASL message. */
    public static final int MAX_AUTH_MESSAGE = 65_535 + Frame.HEADER_LENGTH;

    /** Where the decoder is in the connection's life. */
    public enum State {
        /** Expecting an untyped startup packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
        STARTUP,
        /** Typed messages of the authentication exchange, limited to {@link #MAX_AUTH_MESSAGE}. */
        AUTHENTICATING,
        /** Typed messages up to the configured maximum. */
        READY,
        /** Nothing more is decoded: the connection is being closed. */
        DONE
    }

    private final int maxMessageBytes;
    private State state = State.STARTUP;

    /** @param maxMessageBytes the largest typed message accepted after authentication, header included */
    public FrontendDecoder(int maxMessageBytes) {
        if (maxMessageBytes < MAX_AUTH_MESSAGE) {
            throw new IllegalArgumentException("maxMessageBytes must be at least " + MAX_AUTH_MESSAGE);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    public State state() {
        return state;
    }

    /** The upstream accepted the client: lift the small pre-authentication limit. */
    public void authenticated() {
        if (state == State.AUTHENTICATING) {
            state = State.READY;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case STARTUP -> decodeStartup(in, out);
            case AUTHENTICATING -> decodeFrame(in, out, MAX_AUTH_MESSAGE);
            case READY -> decodeFrame(in, out, maxMessageBytes);
            case DONE -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeStartup(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_PACKET) {
            throw fail("invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
            return;
        }
        StartupPacket packet;
        try {
            packet = StartupPacket.decode(in.readSlice(length));
        } catch (ProtocolViolationException e) {
            throw fail(e.getMessage());
        }
        if (packet instanceof SslRequest || packet instanceof GssEncRequest) {
            // CVE-2021-23214: bytes sent behind the request, before our answer, were not protected
            // by the encryption the client asked for. They must not be read as the next packet.
            if (in.isReadable()) {
                throw fail("received unencrypted data after SSL request");
            }
        } else if (packet instanceof CancelRequest) {
            state = State.DONE;
        } else if (packet instanceof StartupMessage) {
            state = State.AUTHENTICATING;
        }
        out.add(packet);
    }

    private void decodeFrame(ByteBuf in, List<Object> out, int limit) {
        if (in.readableBytes() < Frame.HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start + 1);
        if (length < 4) {
            throw fail("invalid message length " + length);
        }
        if (length > limit - 1) {
            throw fail("message of type '" + (char) in.getByte(start) + "' too large: " + length
                    + " bytes, limit " + (limit - 1));
        }
        if (in.readableBytes() < length + 1) {
            return;
        }
        out.add(new Frame(in.readRetainedSlice(length + 1)));
    }

    private ProtocolViolationException fail(String message) {
        state = State.DONE;
        return new ProtocolViolationException(message);
    }
}

package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.SqlState;
import io.pgmemo.protocol.Wire;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.backend.ErrorResponse;
import java.util.List;

/**
 * SCRAM channel binding (RFC 5929 tls-server-end-point) ties the login to the certificate of the
 * TLS connection the client sees, which is pgmemo's, never the upstream's: it cannot cross a proxy
 * that terminates TLS. So when pgmemo relays a login, the upstream's SCRAM-SHA-256-PLUS is never
 * offered to the client, and a client that insists on binding (channel_binding=require) ends its
 * own login with a clear message. Users of the auth file bind to pgmemo itself: see LocalLogin.
 *
 * <p>A client on TLS that could bind but sees no -PLUS says so with the GS2 flag 'y'. An upstream
 * on TLS must then refuse the login (RFC 5802 section 6, downgrade protection: "SCRAM channel
 * binding negotiation error"); pgmemo says why instead, before the upstream does.
 */
final class ChannelBinding {
    static final String SCRAM_PLUS = "SCRAM-SHA-256-PLUS";
    /** GS2 flag: "the client supports channel binding but thinks the server does not". */
    private static final byte CLIENT_CAN_BIND = 'y';

    private ChannelBinding() {
    }

    /**
     * What the client gets for the upstream's AuthenticationSASL {@code frame}: the frame itself, or
     * (the frame released) the same offer without SCRAM-SHA-256-PLUS.
     */
    static ByteBuf offerToClient(Frame frame, Authentication offer, ByteBufAllocator alloc) {
        List<String> mechanisms = offer.saslMechanisms();
        if (!mechanisms.contains(SCRAM_PLUS)) {
            return frame.content();
        }
        frame.release();
        ByteBuf rewritten = alloc.buffer();
        Authentication.sasl(mechanisms.stream().filter(name -> !SCRAM_PLUS.equals(name)).toList()).encode(rewritten);
        return rewritten;
    }

    /**
     * The error to end the login with instead of relaying this SASLInitialResponse, or null to relay
     * it: a GS2 flag 'y' toward an upstream on TLS, which would refuse it.
     */
    static ErrorResponse refusal(Frame saslInitialResponse, boolean upstreamOnTls) {
        if (!upstreamOnTls) {
            return null;
        }
        ByteBuf body = saslInitialResponse.body();
        Wire.readCString(body);
        if (body.readableBytes() < 5 || body.readInt() < 1 || body.readByte() != CLIENT_CAN_BIND) {
            return null;
        }
        return ErrorResponse.builder().severity("FATAL").code(SqlState.INVALID_AUTHORIZATION_SPECIFICATION)
                .message("SCRAM channel binding cannot pass through pgmemo: it terminates TLS, and the upstream "
                        + "connection is encrypted separately")
                .detail("The client can bind the login to pgmemo's TLS certificate only, which the upstream "
                        + "does not know; the upstream refuses such a client.")
                .hint("List the user in pgmemo's --auth-file so that pgmemo checks the login itself, or connect "
                        + "with channel_binding=disable (libpq) or channelBinding=disable (pgjdbc).")
                .build();
    }
}

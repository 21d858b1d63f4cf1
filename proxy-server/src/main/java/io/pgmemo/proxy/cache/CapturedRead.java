package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.protocol.BackendType;

/**
 * One read whose result is copied as it streams to the client: a simple Query's whole reply, or one
 * unit of an extended cycle ({@code [Parse] [Describe] Bind [Describe] Execute [Close]}), whose
 * reply ends after one completion per message (see {@link #completes}).
 *
 * @param messages the unit's messages, each answered by one completion; 0 for a simple Query, whose
 *                 reply runs to its ReadyForQuery
 * @param admitted stored when it lands; else only when sessions wait for it on {@code flight}
 */
record CapturedRead(CacheKey key, long[] relationOids, ResultCapture result, boolean admitted, Flight flight,
                    int messages) {

    /** The reply that answers one message of an extended unit (a Describe of a statement sends two). */
    static boolean completes(BackendType type) {
        return switch (type) {
            case PARSE_COMPLETE, BIND_COMPLETE, NO_DATA, ROW_DESCRIPTION, COMMAND_COMPLETE, CLOSE_COMPLETE,
                 EMPTY_QUERY_RESPONSE, PORTAL_SUSPENDED -> true;
            default -> false;
        };
    }

    /** Copies a reply of this read; anything but the reply of a plain successful read drops the copy. */
    void append(ByteBuf frame, BackendType type) {
        if (!admitted && flight == null) {
            return;
        }
        switch (type) {
            // Not stored: added in front of the answer when the unit has its own Parse.
            case PARSE_COMPLETE -> { }
            case ROW_DESCRIPTION, COMMAND_COMPLETE, BIND_COMPLETE, PARAMETER_DESCRIPTION, NO_DATA,
                 CLOSE_COMPLETE, PORTAL_SUSPENDED -> result.append(frame, false);
            case DATA_ROW -> result.append(frame, true);
            default -> result.abandon();
        }
    }

    /** Nothing of this read is stored: an error or a notice came with it, or it grew too large. */
    void abandon() {
        if (result != null) {
            result.abandon();
        }
    }

    /** Worth storing: admitted, or awaited by other sessions. */
    boolean wanted() {
        return admitted || flight != null && flight.hasFollowers();
    }
}

package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.proxy.reply.Expected;
import java.util.HashMap;
import java.util.Map;

/**
 * The prepared statements a client has, as it sees them: those the upstream confirmed (ParseComplete)
 * and those whose Parse a cache hit answered, which the upstream does not have yet. Before anything
 * else goes upstream, those are prepared there ({@link #writeUnprepared}), so a later miss, Close,
 * EXECUTE or DEALLOCATE finds them. A statement the proxy is not sure of is simply not known here:
 * a cycle that uses it is forwarded and the upstream answers.
 */
final class PreparedStatements {
    /** {@code message} holds the Parse to send upstream while {@code upstream} is false. */
    private record Statement(Parse parse, byte[] message, boolean upstream) {
    }

    private final Map<String, Statement> byName = new HashMap<>();
    /**
     * When each name was last forgotten, and all of them, on a clock of forgets: a ParseComplete
     * confirms its Parse only if nothing forgot the name after that Parse was sent (a Close or
     * DEALLOCATE later in the same pipeline).
     */
    private final Map<String, Long> forgottenAt = new HashMap<>();
    private long allForgottenAt;
    /** Parse messages sent since the last request ended, which its replies confirm. */
    private CycleParses parsesSent = new CycleParses();
    private long clock;
    private int unprepared;
    /** Names may be taken by statements the proxy did not see prepared (SQL PREPARE, a DO block). */
    private boolean namesUnknown;

    /** The Parse of a known statement, or null. */
    Parse get(String name) {
        Statement statement = byName.get(name);
        return statement == null ? null : statement.parse();
    }

    /** The Parse of a statement the upstream confirmed and has not been asked to drop since, or null. */
    Parse upstreamParse(String name) {
        Statement statement = byName.get(name);
        return statement == null || !statement.upstream() ? null : statement.parse();
    }

    /**
     * Whether a Parse of this name would succeed upstream as far as names go: the unnamed statement is
     * always replaced; a named one must not exist.
     */
    boolean mayParse(String name) {
        return name.isEmpty() || !namesUnknown && !byName.containsKey(name);
    }

    /** The upstream answered ParseComplete to this Parse, sent at {@code sentAt}. */
    void confirmed(Parse parse, long sentAt) {
        if (allForgottenAt <= sentAt && forgottenAt.getOrDefault(parse.statement(), 0L) <= sentAt) {
            put(parse.statement(), new Statement(parse, null, true));
        }
    }

    /** A cache hit answered this Parse: the upstream lacks the statement until {@link #writeUnprepared}. */
    void answeredHere(Parse parse, Frame frame) {
        byte[] message = new byte[frame.content().readableBytes()];
        frame.content().getBytes(frame.content().readerIndex(), message);
        put(parse.statement(), new Statement(parse, message, false));
    }

    /** A Parse went upstream: the statement is not known until its ParseComplete comes back. */
    void parseSent(Parse parse) {
        forget(parse.statement());
        parsesSent.add(parse, clock);
    }

    /** The Parse messages sent since the last request ended, for the request that ends now. */
    CycleParses takeParses() {
        if (parsesSent.isEmpty()) {
            return CycleParses.NONE;
        }
        CycleParses taken = parsesSent;
        parsesSent = new CycleParses();
        return taken;
    }

    /**
     * A ParseComplete confirms the next Parse of the request it answers: the expected cycle's, or,
     * with nothing expected, the cycle still open (a Flush before its Sync, as asyncpg prepares). The
     * proxy's own (Prepare) are not tracked.
     */
    void parseCompleted(Expected head) {
        CycleParses parses = head == null ? parsesSent
                : head instanceof Expectation expectation ? expectation.parses() : null;
        if (parses != null) {
            parses.confirmNext(this);
        }
    }

    /** A Parse or Close of this name went upstream: not sure of it until confirmed again. */
    void forget(String name) {
        put(name, null);
        forgottenAt.put(name, ++clock);
    }

    /**
     * Something that may have prepared or deallocated statements by name went upstream (DEALLOCATE,
     * DISCARD, PREPARE, a function).
     */
    void forgetAll(boolean namesMayBeTaken) {
        byName.clear();
        forgottenAt.clear();
        allForgottenAt = ++clock;
        unprepared = 0;
        namesUnknown |= namesMayBeTaken;
    }

    boolean hasUnprepared() {
        return unprepared > 0;
    }

    /** Writes the Parse of every statement the upstream lacks, which from now on it has. */
    void writeUnprepared(ByteBuf out) {
        for (Map.Entry<String, Statement> entry : byName.entrySet()) {
            Statement statement = entry.getValue();
            if (!statement.upstream()) {
                out.writeBytes(statement.message());
                entry.setValue(new Statement(statement.parse(), null, true));
            }
        }
        unprepared = 0;
    }

    private void put(String name, Statement statement) {
        Statement old = statement == null ? byName.remove(name) : byName.put(name, statement);
        if (old != null && !old.upstream()) {
            unprepared--;
        }
        if (statement != null && !statement.upstream()) {
            unprepared++;
        }
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.TargetKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The extended-protocol messages of one cycle (up to Sync), held while the cycle may still be
 * answered from the cache. Only one shape can be: a run of units {@code [Parse] [Describe statement]
 * Bind [Describe portal] Execute [Close portal]} ({@link CycleUnit}), each one statement and one
 * portal. A pipeline (pgbench, psycopg, asyncpg's executemany, pgjdbc's batches) sends many units
 * before its Sync.
 */
final class ExtendedCycle {
    static final int MAX_BYTES = 1 << 20;

    private final List<Frame> frames = new ArrayList<>(6);
    /** Each held frame decoded, so that a cycle sent upstream after all is not decoded again. */
    private final List<FrontendMessage> messages = new ArrayList<>(6);
    private final List<CycleUnit> units = new ArrayList<>(1);
    private long bytes;
    private boolean answerable = true;

    /** Holds the next message; false once the cycle cannot be answered from the cache. */
    boolean add(Frame frame) {
        frames.add(frame);
        bytes += frame.content().readableBytes();
        answerable = answerable && bytes <= MAX_BYTES;
        FrontendMessage message = answerable ? FrontendMessage.decode(frame) : null;
        messages.add(message);
        answerable = answerable && fits(frame, message);
        return answerable;
    }

    private boolean fits(Frame frame, FrontendMessage message) {
        CycleUnit unit = units.isEmpty() ? null : units.get(units.size() - 1);
        boolean startsUnit = message instanceof Parse
                || (message instanceof Bind || message instanceof Describe d && d.kind() == TargetKind.STATEMENT)
                && (unit == null || unit.executed());
        if (startsUnit) {
            if (unit != null && !unit.executed()) {
                return false;
            }
            unit = new CycleUnit();
            units.add(unit);
        }
        return unit != null && unit.add(frame, message);
    }

    /** Held messages form the one answerable shape: whole units, each with its Bind and Execute. */
    boolean isAnswerable() {
        return answerable && !units.isEmpty() && units.get(units.size() - 1).executed();
    }

    /** The held frames, in order; the caller owns them from now on. */
    List<Frame> frames() {
        return frames;
    }

    /** Each held frame with its message as decoded when it came (null when it was not), in order. */
    void forEachHeld(BiConsumer<Frame, FrontendMessage> action) {
        for (int i = 0; i < frames.size(); i++) {
            action.accept(frames.get(i), messages.get(i));
        }
    }

    List<CycleUnit> units() {
        return units;
    }

    /**
     * The Parse a unit binds: its own, or that of an earlier unit of the cycle; null when the statement
     * was prepared before the cycle.
     */
    Parse parseOf(int unit) {
        String statement = units.get(unit).bind().statement();
        for (int i = unit; i >= 0; i--) {
            Parse parse = units.get(i).parse();
            if (parse != null && parse.statement().equals(statement)) {
                return parse;
            }
        }
        return null;
    }

    /** A named statement is parsed twice in the cycle: the upstream refuses the second Parse. */
    boolean parsesANameTwice() {
        List<String> named = new ArrayList<>();
        for (CycleUnit unit : units) {
            Parse parse = unit.parse();
            if (parse != null && !parse.statement().isEmpty()) {
                if (named.contains(parse.statement())) {
                    return true;
                }
                named.add(parse.statement());
            }
        }
        return false;
    }

    void release() {
        frames.forEach(Frame::release);
        frames.clear();
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.protocol.frontend.Parse;
import java.util.ArrayDeque;

/**
 * The Parse messages sent upstream in one cycle, in order: each ParseComplete of the cycle confirms
 * the next. A Parse that failed is never confirmed, so its statement stays unknown to the proxy.
 */
final class CycleParses {
    /** Of a cycle without Parse; never added to. */
    static final CycleParses NONE = new CycleParses();

    private record Sent(Parse parse, long at) {
    }

    private final ArrayDeque<Sent> sent = new ArrayDeque<>(1);

    /** A Parse sent upstream at this time of {@link PreparedStatements}'s clock. */
    void add(Parse parse, long at) {
        sent.add(new Sent(parse, at));
    }

    boolean isEmpty() {
        return sent.isEmpty();
    }

    /** A ParseComplete came back: it answers the oldest Parse not yet confirmed. */
    void confirmNext(PreparedStatements statements) {
        Sent next = sent.poll();
        if (next != null) {
            statements.confirmed(next.parse(), next.at());
        }
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementClassifier;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.TargetKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows prepared statements and portals so that an Execute, perhaps long after its Parse, is known
 * for what it may change. Extended-protocol results are not cached yet; this keeps invalidation right.
 */
final class ExtendedProtocolEffects {
    private record Effect(Invalidation invalidation, boolean keepsSessionState) {
    }

    private static final Effect UNKNOWN = new Effect(Invalidation.ALL, false);

    private final Map<String, Effect> statements = new HashMap<>();
    private final Map<String, Effect> portals = new HashMap<>();
    private Invalidation cycle = Invalidation.NONE;
    private Effect last = new Effect(Invalidation.NONE, true);

    void note(Frame frame, boolean standardConformingStrings) {
        FrontendMessage message = FrontendMessage.decode(frame);
        last = new Effect(Invalidation.NONE, true);
        if (message instanceof Parse parse) {
            List<Classification> classified = StatementClassifier.classifyAll(parse.query(), standardConformingStrings);
            statements.put(parse.statement(), new Effect(StatementEffects.invalidation(classified),
                    StatementEffects.keepsSessionState(classified)));
        } else if (message instanceof Bind bind) {
            portals.put(bind.portal(), statements.getOrDefault(bind.statement(), UNKNOWN));
        } else if (message instanceof Execute execute) {
            last = portals.getOrDefault(execute.portal(), UNKNOWN);
            cycle = cycle.and(last.invalidation());
        } else if (message instanceof Close close) {
            (close.kind() == TargetKind.STATEMENT ? statements : portals).remove(close.name());
        }
    }

    /** What the last Execute may have changed (nothing for other messages). */
    Invalidation lastInvalidation() {
        return last.invalidation();
    }

    boolean changesSessionState() {
        return !last.keepsSessionState();
    }

    /** At Sync: what the cycle's Executes may have changed; the next cycle starts clean. */
    Invalidation endCycle() {
        Invalidation result = cycle;
        cycle = Invalidation.NONE;
        return result;
    }
}

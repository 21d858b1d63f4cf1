package io.pgmemo.proxy.cache;

import io.pgmemo.cache.effects.HiddenWrites;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.effects.StatementEffects;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.Classifications;
import io.pgmemo.cache.sql.SqlShape;
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
 * for what it may change, when it goes upstream.
 */
final class ExtendedProtocolEffects {
    /**
     * @param hidden  what the catalog must judge of a statement whose words change nothing, or null
     * @param written the statement's words say it writes: the catalog may narrow that to the tables
     *                it writes (or widen it, for a trigger); null when they say it writes nothing
     */
    private record Effect(Invalidation invalidation, boolean keepsSessionState, boolean mayDropStatements,
                          boolean mayNameStatements, HiddenWrites hidden, WriteQuestion written) {
    }

    private static final Effect UNKNOWN = new Effect(Invalidation.ALL, false, true, true, null, null);
    private static final Effect NOTHING = new Effect(Invalidation.NONE, true, false, false, null, null);

    private final Classifications classifications;
    private final Map<String, Effect> statements = new HashMap<>();
    private final Map<String, Effect> portals = new HashMap<>();
    private Invalidation cycle = Invalidation.NONE;
    private Effect last = NOTHING;

    /** @param classifications the server's classifications kept per shape */
    ExtendedProtocolEffects(Classifications classifications) {
        this.classifications = classifications;
    }

    /** Notes the message, which goes upstream, and returns it decoded. */
    FrontendMessage note(Frame frame, boolean standardConformingStrings) {
        FrontendMessage message = FrontendMessage.decode(frame);
        last = NOTHING;
        if (message instanceof Parse parse) {
            SqlShape shape = SqlShape.of(parse.query(), standardConformingStrings);
            List<Classification> classified = classifications.of(parse.query(), shape, standardConformingStrings);
            Invalidation fromText = StatementEffects.invalidation(classified);
            WriteQuestion written = fromText.isNone() ? null
                    : new WriteQuestion(shape, standardConformingStrings, classified, fromText);
            statements.put(parse.statement(), new Effect(fromText,
                    StatementEffects.keepsSessionState(classified), StatementEffects.mayDropStatements(classified),
                    StatementEffects.mayNameStatements(classified),
                    HiddenWrites.of(parse.query(), standardConformingStrings, classified, fromText), written));
        } else if (message instanceof Bind bind) {
            portals.put(bind.portal(), statements.getOrDefault(bind.statement(), UNKNOWN));
        } else if (message instanceof Execute execute) {
            last = portals.getOrDefault(execute.portal(), UNKNOWN);
        } else if (message instanceof Close close) {
            (close.kind() == TargetKind.STATEMENT ? statements : portals).remove(close.name());
        }
        return message;
    }

    /** A cache hit answered this statement's Parse: a read the catalog judged cacheable, which changes nothing. */
    void readPrepared(String statement) {
        statements.put(statement, NOTHING);
    }

    /** What the last Execute may have changed (nothing for other messages). */
    Invalidation lastInvalidation() {
        return last.invalidation();
    }

    /** The last Execute's statement, when its words say it writes (null otherwise, or when unknown). */
    WriteQuestion lastWritten() {
        return last.written();
    }

    /** An Execute of the cycle may have changed this (its words' judgement, narrowed or widened by the catalog). */
    void ran(Invalidation invalidation) {
        cycle = cycle.and(invalidation);
    }

    /** What the catalog must judge of the last Execute's statement (null: its words say all it changes). */
    HiddenWrites lastHiddenWrites() {
        return last.hidden();
    }

    boolean changesSessionState() {
        return !last.keepsSessionState();
    }

    /** The last Execute may have dropped prepared statements (DEALLOCATE, DISCARD, code the proxy cannot see). */
    boolean mayHaveDroppedStatements() {
        return last.mayDropStatements();
    }

    /** The last Execute may have prepared statements by name (PREPARE, or code the proxy cannot see). */
    boolean mayHaveNamedStatements() {
        return last.mayNameStatements();
    }

    /** At Sync: what the cycle's Executes may have changed; the next cycle starts clean. */
    Invalidation endCycle() {
        Invalidation result = cycle;
        cycle = Invalidation.NONE;
        return result;
    }
}

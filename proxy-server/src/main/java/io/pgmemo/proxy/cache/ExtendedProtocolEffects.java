package io.pgmemo.proxy.cache;

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
     * @param hidden  a statement whose words change nothing, for the catalog to judge what its views,
     *                policies or operators may write; null when its words say all it changes
     * @param written the statement's words say it writes: the catalog may narrow that to the tables
     *                it writes (or widen it, for a trigger); null when they say it writes nothing
     * @param mayEndBlock the statement may end a transaction block (see {@link StatementEffects#mayEndTransaction})
     */
    private record Effect(Invalidation invalidation, boolean keepsSessionState, boolean mayDropStatements,
                          boolean mayNameStatements, WriteQuestion hidden, WriteQuestion written,
                          boolean mayEndBlock) {
    }

    private static final Effect UNKNOWN = new Effect(Invalidation.ALL, false, true, true, null, null, true);
    private static final Effect NOTHING = new Effect(Invalidation.NONE, true, false, false, null, null, false);

    private final Classifications classifications;
    private final Map<String, Effect> statements = new HashMap<>();
    private final Map<String, Effect> portals = new HashMap<>();
    private Invalidation cycle = Invalidation.NONE;
    private boolean cycleMayEndBlock;
    private Effect last = NOTHING;

    /** @param classifications the server's classifications kept per shape */
    ExtendedProtocolEffects(Classifications classifications) {
        this.classifications = classifications;
    }

    /**
     * Notes the message, which goes upstream, and returns it decoded: {@code decoded} when it was
     * already, else from the frame when it names a statement or portal to follow (Parse, Execute,
     * Close). A Bind not decoded yet is only checked (its parameter values are not copied), and a
     * Describe or Flush, which changes nothing, is not decoded: both come back as null.
     */
    FrontendMessage note(Frame frame, FrontendMessage decoded, boolean standardConformingStrings) {
        last = NOTHING;
        if (decoded instanceof Bind bind) {
            bound(bind.portal(), bind.statement());
            return bind;
        }
        FrontendMessage message;
        switch (frame.frontendType()) {
            case BIND -> {
                bound(Bind.target(frame.body()));
                return null;
            }
            case PARSE, EXECUTE, CLOSE -> message = decoded != null ? decoded : FrontendMessage.decode(frame);
            default -> {
                return decoded;
            }
        }
        if (message instanceof Parse parse) {
            SqlShape shape = SqlShape.of(parse.query(), standardConformingStrings);
            List<Classification> classified = classifications.of(parse.query(), shape, standardConformingStrings);
            Invalidation fromText = StatementEffects.invalidation(classified);
            WriteQuestion written = fromText.isNone() ? null
                    : new WriteQuestion(shape, standardConformingStrings, classified, fromText);
            WriteQuestion hidden = StatementEffects.mayWriteUnseen(classified, fromText)
                    ? new WriteQuestion(shape, standardConformingStrings, classified, Invalidation.NONE) : null;
            statements.put(parse.statement(), new Effect(fromText,
                    StatementEffects.keepsSessionState(classified), StatementEffects.mayDropStatements(classified),
                    StatementEffects.mayNameStatements(classified), hidden, written,
                    StatementEffects.mayEndTransaction(classified)));
        } else if (message instanceof Execute execute) {
            last = portals.getOrDefault(execute.portal(), UNKNOWN);
            cycleMayEndBlock |= last.mayEndBlock();
        } else if (message instanceof Close close) {
            (close.kind() == TargetKind.STATEMENT ? statements : portals).remove(close.name());
        }
        return message;
    }

    /** Notes a Bind whose target was read already (it goes upstream undecoded); see {@link #note}. */
    void bound(Bind.Target bind) {
        last = NOTHING;
        bound(bind.portal(), bind.statement());
    }

    private void bound(String portal, String statement) {
        portals.put(portal, statements.getOrDefault(statement, UNKNOWN));
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

    /** The last Execute's statement when its words change nothing but its views, policies or operators may. */
    WriteQuestion lastHiddenWrites() {
        return last.hidden();
    }

    /** The last message noted was an Execute of a statement that may change something; no other message does. */
    boolean lastMayChangeAnything() {
        return last != NOTHING;
    }

    /** The last Execute may have ended a transaction block. */
    boolean lastMayEndBlock() {
        return last.mayEndBlock();
    }

    /** An Execute of the cycle so far may have ended a transaction block. */
    boolean cycleMayEndBlock() {
        return cycleMayEndBlock;
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

    /** At Sync: what the cycle's Executes may have changed; the next cycle starts clean (read {@link #cycleMayEndBlock} first). */
    Invalidation endCycle() {
        Invalidation result = cycle;
        cycle = Invalidation.NONE;
        cycleMayEndBlock = false;
        return result;
    }
}

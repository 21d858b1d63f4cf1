package io.pgmemo.proxy.session;

import io.netty.buffer.ByteBuf;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.FrontendType;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.TargetKind;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * For the relay alone (cache off, which follows no prepared statements): the named statements the
 * upstream has as a plain BEGIN, so that a Bind of one can be deferred as the cache's session does
 * with what it knows ({@link DeferredBegin}). A name is learnt only from a cycle of its Parse and a
 * Sync alone, sent while the session was idle, that got ParseComplete and ReadyForQuery (as libpq's
 * PQprepare, and so pgbench -M prepared, prepares); it is forgotten at a Close of it, and every name
 * at anything else that may drop statements (DEALLOCATE or DISCARD in a Query, a FunctionCall).
 * A name the upstream dropped unseen (a DEALLOCATE run by a function) makes its deferred BEGIN fail,
 * which ends the session with PostgreSQL's error: nothing runs outside the block.
 */
final class BeginStatements {
    private final Map<String, String> tags = new HashMap<>();
    /** A Parse of a plain BEGIN went upstream alone, idle; its Sync follows. */
    private String parsedName;
    private String parsedTag;
    /** Its Sync went: the next replies say whether the upstream has it. */
    private boolean awaitingReplies;
    private boolean parseCompleted;

    /** The command tag of a statement of this name the upstream has as a plain BEGIN, or null. */
    String tagOf(String name) {
        return tags.get(name);
    }

    /** A client message goes upstream; {@code idle}: nothing in flight before it. */
    void sent(Frame frame, boolean idle) {
        FrontendType type = frame.frontendType();
        boolean expectingSync = parsedName != null && !awaitingReplies;
        switch (type) {
            case PARSE -> parsed(frame, idle);
            case SYNC -> {
                awaitingReplies = expectingSync;
                if (!expectingSync) {
                    forgetParse();
                }
            }
            case CLOSE -> closed(frame);
            case QUERY -> {
                forgetParse();
                if (!tags.isEmpty() && mayDropStatements(frame.body())) {
                    tags.clear();
                }
            }
            case FUNCTION_CALL -> {
                forgetParse();
                tags.clear();
            }
            default -> forgetParse();
        }
    }

    private void parsed(Frame frame, boolean idle) {
        forgetParse();
        ByteBuf body = frame.body();
        if (body.readableBytes() == 0 || body.getByte(body.readerIndex()) == 0) {
            return; // the unnamed statement: DeferredBegin sees it in its own cycle
        }
        if (!(BeginCycle.decoded(frame) instanceof Parse parse)) {
            return;
        }
        tags.remove(parse.statement());
        String tag = PlainBegin.tagOf(parse);
        if (idle && tag != null) {
            parsedName = parse.statement();
            parsedTag = tag;
        }
    }

    private void closed(Frame frame) {
        forgetParse();
        if (BeginCycle.decoded(frame) instanceof Close close && close.kind() == TargetKind.STATEMENT) {
            tags.remove(close.name());
        }
    }

    /** A reply from upstream, before the session relays it. */
    void onReply(BackendType type) {
        if (!awaitingReplies) {
            return;
        }
        if (type == BackendType.PARSE_COMPLETE && !parseCompleted) {
            parseCompleted = true;
        } else if (type == BackendType.READY_FOR_QUERY && parseCompleted) {
            tags.put(parsedName, parsedTag);
            forgetParse();
        } else if (type != BackendType.NOTICE_RESPONSE && type != BackendType.PARAMETER_STATUS) {
            forgetParse();
        }
    }

    private void forgetParse() {
        parsedName = null;
        parsedTag = null;
        awaitingReplies = false;
        parseCompleted = false;
    }

    /** DEALLOCATE or DISCARD anywhere in the text, in any case (a false alarm only forgets names). */
    private static boolean mayDropStatements(ByteBuf body) {
        String text = body.toString(StandardCharsets.ISO_8859_1).toUpperCase(java.util.Locale.ROOT);
        return text.contains("DEALLOCATE") || text.contains("DISCARD");
    }
}

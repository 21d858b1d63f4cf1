package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.backend.TransactionStatus;
import io.pgmemo.protocol.frontend.Query;
import io.pgmemo.proxy.reply.Expected;
import io.pgmemo.proxy.reply.ReplyQueue;
import java.nio.charset.Charset;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests the proxy sends on a session's connection for itself, whose replies the client never
 * sees: the probe of the session's settings ({@link SessionProbe}), catalog look-ups for the verdict
 * on a read or a write ({@link CatalogLookUpRun}), and the rollback after a look-up that failed in a
 * transaction block. While one is out, the session waits ({@link SessionCache.Wait}).
 */
final class OwnRequests {
    /** Past this many look-ups for one statement (DDL elsewhere keeps renewing the answers), it is forwarded. */
    private static final int MAX_LOOK_UPS_IN_A_ROW = 32;
    private static final Logger log = LoggerFactory.getLogger(OwnRequests.class);

    private final SessionCache session;
    private final QueryCache cache;
    private final SessionState state;
    private final WriteJudgement writes;
    private final ReplyQueue replies;
    private Channel upstream;
    private Consumer<ByteBuf> writeOwn;
    /** Catalog look-ups run for the statement now being judged. */
    private int lookUpsInARow;
    /** The transaction block now open sees an old snapshot of the catalog: no look-up runs in it. */
    private boolean oldSnapshot;

    OwnRequests(SessionCache session, QueryCache cache, SessionState state, WriteJudgement writes,
                ReplyQueue replies) {
        this.session = session;
        this.cache = cache;
        this.state = state;
        this.writes = writes;
        this.replies = replies;
    }

    void upstreamConnected(Channel upstream, Consumer<ByteBuf> writeOwn) {
        this.upstream = upstream;
        this.writeOwn = writeOwn;
    }

    boolean oldSnapshot() {
        return oldSnapshot;
    }

    /** Probes the session's settings; what is held waits until they are known. */
    void sendProbe() {
        session.waitFor(SessionCache.Wait.SESSION_STATE);
        send(SessionProbe.SQL, new Expectation.Probe());
    }

    boolean lookUpPossible(CatalogLookUp lookUp) {
        return lookUpsInARow < MAX_LOOK_UPS_IN_A_ROW && CatalogLookUpRun.canRun(lookUp, state.charset());
    }

    void verdictKnown() {
        lookUpsInARow = 0;
    }

    /** Runs a catalog look-up in this session; what is held waits until it is back. */
    void startLookUp(CatalogLookUp lookUp) {
        runLookUp(lookUp, session::waitOver);
    }

    private void runLookUp(CatalogLookUp lookUp, Runnable then) {
        session.waitFor(SessionCache.Wait.CATALOG);
        lookUpsInARow++;
        if (log.isDebugEnabled()) {
            log.debug("catalog look-up: {}", lookUp.what());
        }
        CatalogLookUpRun run = new CatalogLookUpRun(lookUp, state.database(), state.charset(),
                session.status() == TransactionStatus.IN_TRANSACTION, then);
        send(run.sql(), new Expectation.LookUp(run));
    }

    private void send(String sql, Expectation expectation) {
        ByteBuf query = upstream.alloc().buffer();
        new Query(sql).encode(query);
        send(query, expectation);
    }

    /** Sends requests ended by one Sync or Query, whose replies the expectation swallows. */
    void send(ByteBuf requests, Expectation expectation) {
        replies.sentOwn(expectation);
        writeOwn.accept(requests);
    }

    /** At an idle point: asks the catalog what the forwarded statements whose writes were assumed may write. */
    private void askQuestions() {
        WriteQuestion question;
        while ((question = writes.nextQuestion()) != null && session.idleForLookUp() && session.nothingHeld()) {
            Judgement<Invalidation> judgement = writes.ask(question);
            if (judgement.isAnswered() || !lookUpPossible(judgement.lookUp())) {
                writes.answered(question);
                lookUpsInARow = 0;
                continue;
            }
            runLookUp(judgement.lookUp(), () -> {
                session.waitFor(SessionCache.Wait.NOTHING);
                askQuestions();
                session.resume();
            });
            return;
        }
    }

    /** A reply to one of these requests, or to anything else ({@code head} is the entry it belongs to). */
    void onReply(Expected head, Frame frame, BackendType type) {
        if (head instanceof Expectation.Probe) {
            onProbeReply(frame, type);
        } else if (head instanceof Expectation.LookUp lookUp) {
            lookUp.run().onReply(frame, type);
        } else if (head instanceof Expectation.Prepare && type == BackendType.ERROR_RESPONSE) {
            log.debug("a statement prepared again upstream after cache hits failed");
        }
    }

    private void onProbeReply(Frame frame, BackendType type) {
        if (type == BackendType.DATA_ROW) {
            Charset charset = state.charset();
            state.learn(charset == null ? new SessionProbe.Result(null, false)
                    : SessionProbe.parse(frame.body(), charset));
        } else if (type == BackendType.ERROR_RESPONSE) {
            state.learn(new SessionProbe.Result(null, false));
        }
    }

    /** An entry ended: its request's, if one of these, then any question the catalog can now answer. */
    void onReadyForQuery(Expected head, TransactionStatus status) {
        if (status == TransactionStatus.IDLE) {
            oldSnapshot = false;
        }
        if (head instanceof Expectation.Probe) {
            session.waitOver();
        } else if (head instanceof Expectation.LookUp lookUp) {
            if (lookUp.run().leftTransactionFailed()) {
                send(CatalogLookUp.RECOVER_IN_TRANSACTION, new Expectation.Recover());
            }
            oldSnapshot |= lookUp.run().sawAnOldSnapshot();
            lookUp.run().finish(cache.catalogHealth());
        }
        if (writes.nextQuestion() != null) {
            askQuestions();
        }
    }
}

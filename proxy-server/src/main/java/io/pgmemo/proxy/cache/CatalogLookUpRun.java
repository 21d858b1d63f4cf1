package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.protocol.BackendType;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.backend.BackendMessage;
import io.pgmemo.protocol.backend.ErrorResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link CatalogLookUp} on its way through a session's upstream connection: collects the rows
 * of its replies (text format), or the error, until its ReadyForQuery; then hands them over.
 */
final class CatalogLookUpRun {
    private final CatalogLookUp lookUp;
    private final String database;
    private final Charset charset;
    private final boolean inTransaction;
    private final Runnable then;
    /** The rows of each SELECT that completed: the look-up's, then (in a transaction block) the isolation's. */
    private final List<List<String[]>> results = new ArrayList<>();
    private List<String[]> rows = new ArrayList<>();
    private String error;

    /** @param inTransaction the session is inside a transaction block (not a failed one) */
    CatalogLookUpRun(CatalogLookUp lookUp, String database, Charset charset, boolean inTransaction, Runnable then) {
        this.lookUp = lookUp;
        this.database = database;
        this.charset = charset;
        this.inTransaction = inTransaction;
        this.then = then;
    }

    /**
     * Whether the look-up's text reaches the server unchanged: the session's client_encoding is
     * UTF-8, or the text is ASCII (which every encoding the proxy decodes shares).
     */
    static boolean canRun(CatalogLookUp lookUp, Charset charset) {
        return charset == StandardCharsets.UTF_8
                || (charset != null && StandardCharsets.US_ASCII.newEncoder().canEncode(lookUp.sql()));
    }

    String sql() {
        return inTransaction ? lookUp.sqlInTransaction() : lookUp.sql();
    }

    /** It failed inside the client's transaction block, which must be recovered before anything else. */
    boolean leftTransactionFailed() {
        return inTransaction && error != null;
    }

    /**
     * It ran in a transaction block whose snapshot may be older than the catalog (not read committed):
     * its rows were not kept, and no look-up may run again in this transaction.
     */
    boolean sawAnOldSnapshot() {
        return inTransaction && error == null && results.size() == 2
                && !CatalogLookUp.READ_COMMITTED.equals(results.get(1).isEmpty() ? null : results.get(1).get(0)[0]);
    }

    /** A reply before the ReadyForQuery. */
    void onReply(Frame frame, BackendType type) {
        if (type == BackendType.DATA_ROW) {
            rows.add(values(frame.body()));
        } else if (type == BackendType.COMMAND_COMPLETE && isSelect(frame.body())) {
            results.add(rows);
            rows = new ArrayList<>();
        } else if (type == BackendType.ERROR_RESPONSE) {
            ErrorResponse e = (ErrorResponse) BackendMessage.decode(frame);
            error = "SQLSTATE " + e.code() + ": " + e.message();
        }
    }

    /** Its ReadyForQuery: keeps the answers (or notes the failure), then goes on with what waited. */
    void finish(CatalogHealth health) {
        if (error == null && results.size() != (inTransaction ? 2 : 1)) {
            health.failed(database, "unexpected replies to " + lookUp.what());
        } else if (error == null && sawAnOldSnapshot()) {
            health.skipped();
        } else if (error == null) {
            try {
                lookUp.complete(results.get(0));
                health.succeeded(database);
            } catch (RuntimeException e) {
                health.failed(database, "unexpected reply to " + lookUp.what() + ": " + e.getMessage());
            }
        } else {
            health.failed(database, error);
        }
        then.run();
    }

    /** A CommandComplete whose tag is SELECT's (the others are SAVEPOINT's, SET's...). */
    private static boolean isSelect(ByteBuf commandComplete) {
        ByteBuf tag = commandComplete.duplicate();
        return tag.readableBytes() >= 6 && tag.readByte() == 'S' && tag.readByte() == 'E' && tag.readByte() == 'L';
    }

    private String[] values(ByteBuf dataRow) {
        ByteBuf body = dataRow.duplicate();
        String[] values = new String[body.readUnsignedShort()];
        for (int i = 0; i < values.length; i++) {
            int length = body.readInt();
            values[i] = length < 0 ? null : body.readCharSequence(length, charset).toString();
        }
        return values;
    }
}

package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A change queued for the persistent tier, applied in order within a batch. */
sealed interface WriteOp {

    /** Bytes held by the queued operation, to bound the queue. */
    default long queuedBytes() {
        return 64;
    }

    record Put(CachedResult entry) implements WriteOp {
        @Override
        public long queuedBytes() {
            return entry.sizeBytes();
        }
    }

    record DeleteKeys(List<CacheKey> keys) implements WriteOp {
    }

    record InvalidateTable(String database, long tableOid) implements WriteOp {
    }

    record InvalidateDatabase(String database) implements WriteOp {
    }

    record InvalidateAll() implements WriteOp {
    }

    /**
     * The same batch with invalidations that a later one in it subsumes left out: a write-heavy
     * workload invalidates its tables or database several times per transaction (at the write and
     * again at commit), and each would be a DELETE. The batch is applied in one transaction, so a
     * later invalidation of the same table or database still deletes what the earlier one would have
     * and what was put in between.
     */
    static List<WriteOp> withoutRepeatedInvalidations(List<WriteOp> batch) {
        int lastAll = -1;
        Map<WriteOp, Integer> lastOfEach = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            if (op instanceof InvalidateAll) {
                lastAll = i;
            } else if (invalidatesOneName(op)) {
                lastOfEach.put(op, i);
            }
        }
        List<WriteOp> kept = new ArrayList<>(batch.size());
        for (int i = Math.max(lastAll, 0); i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            if (!invalidatesOneName(op) || lastOfEach.get(op) == i) {
                kept.add(op);
            }
        }
        return kept;
    }

    /** An invalidation of one table or one database; equal records are the same invalidation. */
    private static boolean invalidatesOneName(WriteOp op) {
        return op instanceof InvalidateDatabase || op instanceof InvalidateTable;
    }
}

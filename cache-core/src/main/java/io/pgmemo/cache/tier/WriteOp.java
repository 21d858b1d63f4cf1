package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.util.List;

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
    static java.util.List<WriteOp> withoutRepeatedInvalidations(java.util.List<WriteOp> batch) {
        int lastAll = -1;
        java.util.Map<Object, Integer> last = new java.util.HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            if (op instanceof InvalidateAll) {
                lastAll = i;
            } else if (op instanceof InvalidateDatabase || op instanceof InvalidateTable) {
                last.put(op, i);
            }
        }
        java.util.List<WriteOp> kept = new java.util.ArrayList<>(batch.size());
        for (int i = Math.max(lastAll, 0); i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            boolean repeatedLater = (op instanceof InvalidateDatabase || op instanceof InvalidateTable)
                    && last.get(op) != i;
            if (!repeatedLater) {
                kept.add(op);
            }
        }
        return kept;
    }
}

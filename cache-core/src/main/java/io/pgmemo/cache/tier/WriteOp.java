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
     * workload invalidates its database several times per statement, and each would be a DELETE.
     */
    static java.util.List<WriteOp> withoutRepeatedInvalidations(java.util.List<WriteOp> batch) {
        int lastAll = -1;
        java.util.Map<String, Integer> lastDatabase = new java.util.HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            if (op instanceof InvalidateAll) {
                lastAll = i;
            } else if (op instanceof InvalidateDatabase database) {
                lastDatabase.put(database.database(), i);
            }
        }
        java.util.List<WriteOp> kept = new java.util.ArrayList<>(batch.size());
        for (int i = Math.max(lastAll, 0); i < batch.size(); i++) {
            WriteOp op = batch.get(i);
            if (op instanceof InvalidateDatabase database && lastDatabase.get(database.database()) != i) {
                continue;
            }
            kept.add(op);
        }
        return kept;
    }
}

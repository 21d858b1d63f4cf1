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
}

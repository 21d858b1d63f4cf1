package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent tier's state on its executor thread: the open table, its bounds, and recovery.
 * No method throws: a failing DuckDB call is logged, the connection reopened (after a second
 * consecutive failure the file is set aside and recreated), and if nothing works the store
 * degrades to doing nothing.
 */
final class FileStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    /** Disk slack beyond 1.5 times the bound before the file is compacted. */
    static final long COMPACTION_SLACK_BYTES = 4L << 20;
    static final long MAINTENANCE_INTERVAL_MILLIS = 1000;

    private final DuckDbFile file;
    private final long maxBytes;
    private final CacheStats stats;
    /** Written only on the executor thread; volatile so that {@link #isDegraded()} may be read anywhere. */
    private volatile EntryTable table;
    private int consecutiveFailures;
    /** When maintenance last ran, and what was written since: it runs when either grows large. */
    private long lastMaintainedMillis = Long.MIN_VALUE / 2;
    private long putBytesSinceMaintained;

    private FileStore(DuckDbFile file, EntryTable table, long maxBytes, CacheStats stats) {
        this.file = file;
        this.table = table;
        this.maxBytes = maxBytes;
        this.stats = stats;
    }

    /** A store on the given owned file; a file that cannot be used at all yields a degraded store. */
    static FileStore open(DuckDbFile file, long maxBytes, CacheStats stats, long nowMillis) {
        EntryTable table = null;
        try {
            table = file.open();
        } catch (CacheFileLockedException e) {
            file.close();
            throw e;
        } catch (Exception | LinkageError e) {
            // LinkageError: DuckDB's native library does not load here (e.g. a musl-based image).
            LOG.warn("cache file {} unusable ({}); persistent cache disabled", file.path(), e.toString());
        }
        FileStore store = new FileStore(file, table, maxBytes, stats);
        store.maintain(nowMillis);
        return store;
    }

    /** A store that keeps nothing. */
    static FileStore disabled(CacheStats stats) {
        return new FileStore(null, null, 0, stats);
    }

    boolean isDegraded() {
        return table == null;
    }

    void apply(List<WriteOp> ops, Collection<CachedResult> touched, long nowMillis) {
        if (run("write", () -> table.apply(ops, touched))) {
            for (WriteOp op : ops) {
                putBytesSinceMaintained += op.queuedBytes();
            }
            // Expiry and the byte bound are checked once a second, or sooner after many bytes: each
            // check is two queries, too many to run after every small batch.
            if (nowMillis - lastMaintainedMillis >= MAINTENANCE_INTERVAL_MILLIS
                    || putBytesSinceMaintained > maxBytes / 16) {
                maintain(nowMillis);
            }
            return;
        }
        // Losing puts is harmless; losing an invalidation would leave stale rows. A retry that fails
        // too is a second consecutive failure, after which recovery starts an empty file.
        List<WriteOp> invalidations = ops.stream().filter(op -> !(op instanceof WriteOp.Put)).toList();
        if (!invalidations.isEmpty()) {
            run("invalidation retry", () -> table.apply(invalidations, List.of()));
        }
    }

    /** The verified, unexpired entry of the key, or null. */
    CachedResult find(CacheKey key, long nowMillis) {
        CachedResult found = call("read", () -> table.find(key, nowMillis), null);
        return found == null ? null : verified(found);
    }

    List<CachedResult> loadUnexpired(long limitBytes, long nowMillis) {
        List<CachedResult> rows = call("load", () -> table.loadUnexpired(limitBytes, nowMillis), List.of());
        List<CachedResult> good = new ArrayList<>(rows.size());
        for (CachedResult row : rows) {
            CachedResult entry = verified(row);
            if (entry != null) {
                good.add(entry);
            }
        }
        return good;
    }

    /** Drops expired rows, keeps the stored bytes under the bound, compacts a bloated file. */
    void maintain(long nowMillis) {
        lastMaintainedMillis = nowMillis;
        putBytesSinceMaintained = 0;
        run("maintenance", () -> {
            table.deleteExpired(nowMillis);
            long[] usage = table.usage();
            if (usage[0] > maxBytes) {
                stats.fileEvicted(table.evictToFit(maxBytes));
                usage = table.usage();
            }
            if (file.diskBytes() > maxBytes + maxBytes / 2 + COMPACTION_SLACK_BYTES) {
                compact();
            }
            stats.fileUsage(usage[0], usage[1], file.diskBytes());
        });
    }

    private void compact() throws Exception {
        long before = file.diskBytes();
        EntryTable live = table;
        table = null;
        try {
            table = file.compact(live);
        } catch (Exception e) {
            closeQuietly(live); // recovery then reopens whichever file is in place
            throw e;
        }
        LOG.info("compacted cache file {} from {} to {} bytes", file.path(), before, file.diskBytes());
    }

    private CachedResult verified(CachedResult entry) {
        if (entry.verify()) {
            return entry;
        }
        stats.checksumFailure();
        LOG.warn("cache entry {} in {} failed its checksum; deleted", entry.key(), file.path());
        run("delete", () -> table.delete(entry.key()));
        return null;
    }

    void close() {
        closeQuietly(table);
        table = null;
        if (file != null) {
            file.close();
        }
    }

    private interface SqlCall<T> {
        T call() throws Exception;
    }

    private interface SqlRun {
        void run() throws Exception;
    }

    private boolean run(String what, SqlRun work) {
        return call(what, () -> {
            work.run();
            return Boolean.TRUE;
        }, Boolean.FALSE);
    }

    private <T> T call(String what, SqlCall<T> work, T fallback) {
        if (table == null) {
            return fallback;
        }
        try {
            T result = work.call();
            consecutiveFailures = 0;
            return result;
        } catch (Exception e) {
            LOG.warn("cache file {}: {} failed: {}", file.path(), what, e.toString());
            recover();
            return fallback;
        }
    }

    private void recover() {
        consecutiveFailures++;
        closeQuietly(table);
        table = null;
        try {
            table = consecutiveFailures >= 2 ? file.recreate() : file.open();
        } catch (Exception e) {
            LOG.warn("cache file {} cannot be reopened ({}); persistent cache disabled", file.path(), e.toString());
        }
    }

    private static void closeQuietly(EntryTable table) {
        if (table != null) {
            try {
                table.close();
            } catch (Exception e) {
                LOG.debug("closing the cache file failed", e);
            }
        }
    }
}

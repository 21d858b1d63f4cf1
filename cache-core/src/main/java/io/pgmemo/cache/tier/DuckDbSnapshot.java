package io.pgmemo.cache.tier;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.stats.CacheStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot of the memory tier in an embedded DuckDB file, so that a restart starts warm: written
 * behind (as a {@link MemoryTierListener}, the stores and invalidations the memory tier reports) and
 * loaded at start ({@link #loadUnexpired}). It is not a tier reads fall back to: a memory miss goes
 * upstream without looking here, so that no read ever waits for the disk.
 *
 * <p>All DuckDB work runs on one thread of its own. Writes are queued without blocking and applied
 * in batches (every {@value #FLUSH_INTERVAL_MILLIS} ms or {@value #BATCH_SIZE} operations, one
 * transaction each); every read first applies the queued writes, so it sees each invalidation
 * queued before it. A file that cannot be used makes the snapshot keep nothing; it never throws
 * into callers, except {@link CacheFileLockedException} from {@link #open}.
 */
public final class DuckDbSnapshot implements MemoryTierListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSnapshot.class);
    static final long FLUSH_INTERVAL_MILLIS = 1000;
    static final long HITS_FLUSH_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    static final int BATCH_SIZE = 500;
    /** Hits after which the scheduled flush writes an entry to the file (close writes them all). */
    static final int WRITE_BACK_HITS = 2;
    static final long CLOSE_TIMEOUT_SECONDS = 60;
    /** Puts are dropped, never invalidations, while this much is waiting for a slow disk. */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    private final long maxEntryBytes;
    private final ScheduledThreadPoolExecutor executor;
    private final FileStore store;
    private final ConcurrentLinkedQueue<WriteOp> queue = new ConcurrentLinkedQueue<>();
    /**
     * Table invalidations queued and not yet taken by a flush: a write workload invalidates the same
     * few tables thousands of times a second, and one queued invalidation per table covers them all
     * until the flush takes it (write-backs come after it in the flush, and only of entries the
     * memory tier still holds).
     */
    private final Set<WriteOp> queuedInvalidations = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queuedOps = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentHashMap<CacheKey, CachedResult> touched = new ConcurrentHashMap<>();
    /**
     * Entries stored in memory but not yet in the file, per database (so that a write, which
     * invalidates its database, costs no scan). An entry is written back only while the memory tier
     * still holds it ({@link #writeBackOnlyWhile}): an invalidated one is never resurrected, and a
     * table's invalidation costs no scan here. The scheduled flush writes
     * the ones hit {@value #WRITE_BACK_HITS} times; every other flush (close, flushNow, a file read)
     * writes them all. Bounded in entries and bytes: dropping them only loses persistence.
     */
    private final ConcurrentHashMap<String, ConcurrentHashMap<CacheKey, CachedResult>> unwritten =
            new ConcurrentHashMap<>();
    static final int MAX_UNWRITTEN = 100_000;
    static final long MAX_UNWRITTEN_BYTES = 64L << 20;
    private final AtomicLong unwrittenBytes = new AtomicLong();
    private long lastHitsFlushNanos;
    /** Hit counts sent to the file (one UPDATE each), for tests; written by the executor only. */
    private volatile long hitCountsWritten;
    private volatile boolean closed;
    private volatile Predicate<CachedResult> held = entry -> !entry.isDropped();

    private DuckDbSnapshot(long maxEntryBytes, ScheduledThreadPoolExecutor executor, FileStore store) {
        this.maxEntryBytes = maxEntryBytes;
        this.executor = executor;
        this.store = store;
        executor.scheduleWithFixedDelay(this::flushQuietly, FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Opens (or creates) the cache file of the configuration. Blocks until the file is open; call it at
     * startup, not on an event loop.
     *
     * @throws CacheFileLockedException if another instance has the file open
     */
    public static DuckDbSnapshot open(CacheConfig config, CacheStats stats) {
        ScheduledThreadPoolExecutor executor = newExecutor();
        try {
            FileStore store = executor.submit(() -> openStore(config, stats)).get();
            return new DuckDbSnapshot(config.maxEntryBytes(), executor, store);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CacheFileLockedException locked) {
                executor.shutdownNow();
                throw new CacheFileLockedException(config.file().toAbsolutePath(), locked.getCause());
            }
            LOG.warn("cache file {} cannot be opened; persistent cache disabled", config.file(), e.getCause());
            return new DuckDbSnapshot(0, executor, FileStore.disabled(stats));
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening cache file " + config.file(), e);
        }
    }

    /** A snapshot that keeps nothing, for running with memory only. */
    public static DuckDbSnapshot disabled(CacheStats stats) {
        return new DuckDbSnapshot(0, newExecutor(), FileStore.disabled(stats));
    }

    /**
     * Tells whether the memory tier still holds an entry that no invalidation has made stale: only
     * such entries are written back. Until set: whether it has not let go of it ({@link CachedResult#isDropped()}).
     */
    void writeBackOnlyWhile(Predicate<CachedResult> held) {
        this.held = held;
    }

    private static FileStore openStore(CacheConfig config, CacheStats stats) {
        DuckDbFile file;
        try {
            file = DuckDbFile.lock(config.file());
        } catch (IOException e) {
            LOG.warn("cache file {} cannot be locked ({}); persistent cache disabled", config.file(), e.toString());
            return FileStore.disabled(stats);
        }
        return FileStore.open(file, config.maxFileBytes(), stats, System.currentTimeMillis());
    }

    private static ScheduledThreadPoolExecutor newExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "pgmemo-duckdb");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Whether the file could not be used, so that this snapshot keeps nothing. */
    public boolean isDegraded() {
        return store.isDegraded();
    }

    /** Queues the entry for storage; too large entries, or while the queue is full, are not stored. */
    public void put(CachedResult entry) {
        if (entry.sizeBytes() > maxEntryBytes) {
            return;
        }
        if (queuedBytes.get() + entry.sizeBytes() > MAX_QUEUED_BYTES) {
            LOG.debug("cache file queue full; not persisting {}", entry);
            return;
        }
        enqueue(writeBack(entry));
        // An invalidation of its table after it must be queued behind it, not merged with one before.
        queuedInvalidations.clear();
    }

    /** Operations queued for the next flush. */
    int queuedOps() {
        return queuedOps.get();
    }

    long hitCountsWritten() {
        return hitCountsWritten;
    }

    /** Queues the entry's hit count and last-hit time for storage (the file evicts least recently hit). */
    public void touch(CachedResult entry) {
        if (!closed) {
            touched.put(entry.key(), entry);
        }
    }

    public void deleteKeys(Collection<CacheKey> keys) {
        enqueue(new WriteOp.DeleteKeys(List.copyOf(keys)));
    }

    public void invalidateTable(String database, long tableOid) {
        WriteOp op = new WriteOp.InvalidateTable(database, tableOid);
        if (queuedInvalidations.add(op)) {
            enqueue(op);
        }
    }

    public void invalidateDatabase(String database) {
        enqueue(new WriteOp.InvalidateDatabase(database));
    }

    public void invalidateAll() {
        enqueue(new WriteOp.InvalidateAll());
    }

    /**
     * The verified, unexpired entry the file holds for the key, after every write queued before this
     * call: for tests of what the snapshot keeps (reads never come here).
     */
    CompletableFuture<Optional<CachedResult>> get(CacheKey key, long nowMillis) {
        return supply(() -> {
            flush();
            return Optional.ofNullable(store.find(key, nowMillis));
        }, Optional.empty());
    }

    /** Unexpired entries, most recently hit first, up to limitBytes of {@link CachedResult#sizeBytes()}. */
    public CompletableFuture<List<CachedResult>> loadUnexpired(long limitBytes, long nowMillis) {
        return supply(() -> {
            flush();
            return store.loadUnexpired(limitBytes, nowMillis);
        }, List.of());
    }

    /** Completes when every write queued before this call is committed. */
    public CompletableFuture<Void> flushNow() {
        return supply(() -> {
            flush();
            return null;
        }, null);
    }

    /** Applies the queued writes and closes the file (waiting at most {@value #CLOSE_TIMEOUT_SECONDS} s). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            supply(() -> {
                flush();
                store.close();
                return null;
            }, null).get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("closing the cache file failed", e);
        } finally {
            executor.shutdown();
        }
    }

    // MemoryTierListener: mirror the memory tier.

    @Override
    public void stored(CachedResult entry) {
        // Written back lazily (see flush): most stored results are never read again. Without a file
        // (memory only, or one that could not be used) there is nothing to write them to.
        if (!closed && !store.isDegraded()) {
            // Sized for the most it holds: a table grown from empty again after each forgetUnwritten
            // cost a select-only read that never repeats more than the rest of its store.
            ConcurrentHashMap<CacheKey, CachedResult> ofDatabase = unwritten.computeIfAbsent(entry.database(),
                    db -> new ConcurrentHashMap<>(MAX_UNWRITTEN * 4 / 3 + 1));
            if (ofDatabase.size() >= MAX_UNWRITTEN || unwrittenBytes.get() >= MAX_UNWRITTEN_BYTES) {
                forgetUnwritten();
            }
            ofDatabase.put(entry.key(), entry);
            unwrittenBytes.addAndGet(entry.sizeBytes());
        }
    }

    /** The entry left the unwritten ones (written, invalidated or dropped); null for none. */
    private void noLongerUnwritten(CachedResult entry) {
        if (entry != null) {
            unwrittenBytes.addAndGet(-entry.sizeBytes());
        }
    }

    private void forgetUnwritten() {
        unwritten.values().forEach(ConcurrentHashMap::clear);
        unwrittenBytes.set(0);
    }

    @Override
    public void keysInvalidated(Collection<CacheKey> keys) {
        for (ConcurrentHashMap<CacheKey, CachedResult> ofDatabase : unwritten.values()) {
            for (CacheKey key : keys) {
                noLongerUnwritten(ofDatabase.remove(key));
            }
        }
        deleteKeys(keys);
    }

    @Override
    public void tableInvalidated(String database, long tableOid) {
        invalidateTable(database, tableOid);
    }

    @Override
    public void databaseInvalidated(String database) {
        ConcurrentHashMap<CacheKey, CachedResult> removed = unwritten.remove(database);
        if (removed != null) {
            removed.values().forEach(this::noLongerUnwritten);
        }
        invalidateDatabase(database);
    }

    @Override
    public void allInvalidated() {
        forgetUnwritten();
        invalidateAll();
    }

    private void enqueue(WriteOp op) {
        if (closed) {
            return;
        }
        queuedBytes.addAndGet(op.queuedBytes());
        queue.add(op);
        if (queuedOps.incrementAndGet() == BATCH_SIZE) {
            submitQuietly(this::flushQuietly);
        }
    }

    /** On the executor: applies what is queued, in one transaction, with hit counts when due. */
    private void flush() {
        flush(true);
    }

    private void flush(boolean withHits) {
        List<WriteOp> batch = new ArrayList<>();
        for (WriteOp op; (op = queue.poll()) != null; ) {
            if (op instanceof WriteOp.InvalidateTable) {
                queuedInvalidations.remove(op);
            }
            batch.add(op);
            queuedBytes.addAndGet(-op.queuedBytes());
        }
        queuedOps.addAndGet(-batch.size());
        if (withHits) {
            for (ConcurrentHashMap<CacheKey, CachedResult> ofDatabase : unwritten.values()) {
                for (Iterator<CachedResult> it = ofDatabase.values().iterator(); it.hasNext(); ) {
                    CachedResult entry = it.next();
                    if (held.test(entry)) {
                        batch.add(writeBack(entry));
                    }
                    it.remove();
                }
            }
            unwrittenBytes.set(0);
        } else {
            // Only entries hit since the last flush, and hit more than once: no scan of everything that
            // waits unwritten, and no file write for a result that was asked for twice by chance.
            for (CachedResult entry : touched.values()) {
                ConcurrentHashMap<CacheKey, CachedResult> ofDatabase = unwritten.get(entry.database());
                if (entry.hits() >= WRITE_BACK_HITS && ofDatabase != null && ofDatabase.remove(entry.key(), entry)) {
                    noLongerUnwritten(entry);
                    if (held.test(entry)) {
                        batch.add(writeBack(entry));
                    }
                }
            }
        }
        List<CachedResult> hits = new ArrayList<>();
        long now = System.nanoTime();
        // Hit counts are only metadata: writing them every few seconds keeps hot keys off DuckDB's back.
        if (withHits || now - lastHitsFlushNanos >= HITS_FLUSH_INTERVAL_NANOS) {
            lastHitsFlushNanos = now;
            for (Iterator<CachedResult> it = touched.values().iterator(); it.hasNext(); ) {
                CachedResult entry = it.next();
                it.remove();
                if (entry.isInFile()) {
                    hits.add(entry);
                }
            }
        }
        if (!batch.isEmpty() || !hits.isEmpty()) {
            store.apply(WriteOp.withoutRepeatedInvalidations(batch), hits, System.currentTimeMillis());
            hitCountsWritten += hits.size();
        }
    }

    /**
     * Writes the entry back. Only entries written back or read from the file get their hit counts
     * updated there: an update of any other (waiting, or forgotten when too many waited) would find
     * no row, at the cost of one DuckDB UPDATE per hit entry.
     */
    private static WriteOp writeBack(CachedResult entry) {
        entry.markInFile();
        return new WriteOp.Put(entry);
    }

    private void flushQuietly() {
        try {
            flush(false);
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again.
            LOG.warn("cache file flush failed", e);
        }
    }

    private void submitQuietly(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("cache file closed; task dropped");
        }
    }

    /** Runs the work on the executor; completes with the fallback when closed or on an unexpected error. */
    private <T> CompletableFuture<T> supply(Supplier<T> work, T fallback) {
        Supplier<T> guarded = () -> {
            try {
                return work.get();
            } catch (RuntimeException e) {
                LOG.warn("cache file task failed", e);
                return fallback;
            }
        };
        try {
            return CompletableFuture.supplyAsync(guarded, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(fallback);
        }
    }

}

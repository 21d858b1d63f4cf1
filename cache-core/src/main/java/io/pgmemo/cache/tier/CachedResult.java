package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.zip.CRC32C;

/**
 * One cache entry: the exact backend response bytes of a query (RowDescription, DataRows,
 * CommandComplete, opaque here) with the metadata the tiers need. Immutable except for the hit
 * statistics. The response array is shared, never copied: nobody may modify it.
 */
public final class CachedResult {
    /** Approximate heap cost of the object, its key and metadata, beyond the two byte arrays. */
    static final int FIXED_OVERHEAD_BYTES = 256;
    /**
     * Heap of an entry held in the memory tier beyond its arrays' contents: the entry and its key,
     * the arrays' headers, the tier's map node (about 211 bytes measured on a 64-bit JVM with
     * compressed pointers) and the key's digest once computed (48).
     */
    static final int HEAP_OVERHEAD_BYTES = 264;

    private static final AtomicLongFieldUpdater<CachedResult> HITS =
            AtomicLongFieldUpdater.newUpdater(CachedResult.class, "hits");

    private final CacheKey key;
    private final String database;
    private final String role;
    private final long[] tableOids;
    private final byte[] response;
    private final long rows;
    private final long createdAt;
    private final long expiresAt;
    private final int checksum;
    private volatile long hits;
    private volatile long lastHit;
    /** Set when the memory tier lets go of it: found stale or expired, evicted, replaced, invalidated by key or all. */
    private volatile boolean dropped;
    /** The memory tier's invalidation sequence when it stored the entry; guarded by that tier's lock. */
    private long storedAt;
    /** Read from the cache file, or handed to it to write: its row may exist, so its hits may be recorded there. */
    private volatile boolean inFile;

    private CachedResult(CacheKey key, String database, String role, long[] tableOids, byte[] response,
            long rows, long createdAt, long expiresAt, int checksum, long hits, long lastHit) {
        this.key = Objects.requireNonNull(key, "key");
        this.database = Objects.requireNonNull(database, "database");
        this.role = role;
        this.tableOids = tableOids.clone();
        this.response = Objects.requireNonNull(response, "response");
        this.rows = rows;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.checksum = checksum;
        this.hits = hits;
        this.lastHit = lastHit;
    }

    /**
     * A new entry; computes the checksum of the response.
     *
     * @param tableOids relations the result depends on (invalidation is by database and oid)
     * @param response  the backend response to replay; kept by reference, not copied
     */
    public static CachedResult create(CacheKey key, String database, String role, long[] tableOids,
            byte[] response, long rows, long createdAt, long expiresAt) {
        return new CachedResult(key, database, role, tableOids, response, rows, createdAt, expiresAt,
                checksumOf(response), 0, createdAt);
    }

    /** An entry read back from storage, with its stored checksum (see {@link #verify()}). */
    static CachedResult restore(CacheKey key, String database, String role, long[] tableOids,
            byte[] response, long rows, long createdAt, long expiresAt, int checksum, long hits, long lastHit) {
        CachedResult entry = new CachedResult(key, database, role, tableOids, response, rows, createdAt,
                expiresAt, checksum, hits, lastHit);
        entry.markInFile();
        return entry;
    }

    static int checksumOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        return (int) crc.getValue();
    }

    /** Whether the response still has the checksum computed when the entry was created. */
    public boolean verify() {
        return checksumOf(response) == checksum;
    }

    public boolean isExpired(long nowMillis) {
        return nowMillis >= expiresAt;
    }

    /** Records a hit; returns the previous last-hit time. */
    public long recordHit(long nowMillis) {
        HITS.incrementAndGet(this);
        long previous = lastHit;
        lastHit = Math.max(previous, nowMillis);
        return previous;
    }

    /** What the entry is charged against the cache file's byte bound: its row holds the whole key. */
    public long sizeBytes() {
        return (long) response.length + key.encodedLength() + FIXED_OVERHEAD_BYTES + 8L * tableOids.length;
    }

    /**
     * What the entry is charged against the memory tier's byte bound: the heap it holds, without the
     * session-state prefix its key shares with other keys (hundreds of bytes, several times a point
     * look-up's own). The SQL text is not held twice: {@link #sql()} reads it from the key.
     */
    public long memoryBytes() {
        return (long) response.length + key.ownedLength() + HEAP_OVERHEAD_BYTES
                + 8L * tableOids.length;
    }

    public CacheKey key() {
        return key;
    }

    public String database() {
        return database;
    }

    /** The role the result was produced for (metadata; the key holds the whole fingerprint). */
    public String role() {
        return role;
    }

    /** The query's SQL text, read from its key (for the cache file's metadata); "" if it cannot be. */
    public String sql() {
        return Objects.requireNonNullElse(key.sql(), "");
    }

    /** A copy of the oids of the relations the result depends on. */
    public long[] tableOids() {
        return tableOids.clone();
    }

    long[] tableOidsShared() {
        return tableOids;
    }

    /** The response bytes, shared: do not modify. */
    public byte[] response() {
        return response;
    }

    public long rows() {
        return rows;
    }

    public long createdAt() {
        return createdAt;
    }

    public long expiresAt() {
        return expiresAt;
    }

    public int checksum() {
        return checksum;
    }

    public long hits() {
        return hits;
    }

    public long lastHit() {
        return lastHit;
    }

    @Override
    public String toString() {
        return "CachedResult[" + key + ", db=" + database + ", " + response.length + " bytes, " + rows + " rows]";
    }

    void storedAt(long invalidationSequence) {
        storedAt = invalidationSequence;
    }

    long storedAt() {
        return storedAt;
    }

    void markDropped() {
        dropped = true;
    }

    /** The memory tier no longer keeps this entry (it may never have). */
    boolean isDropped() {
        return dropped;
    }

    void markInFile() {
        inFile = true;
    }

    boolean isInFile() {
        return inFile;
    }
}

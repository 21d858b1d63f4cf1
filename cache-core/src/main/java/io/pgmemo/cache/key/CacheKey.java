package io.pgmemo.cache.key;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identity of a cached result: session fingerprint, SQL text and, for the extended protocol,
 * parameter types, values and format codes, encoded into one unambiguous byte string.
 *
 * <p>A 64-bit FNV-1a hash of the encoding indexes the key in memory; the SHA-256 digest, computed
 * only when asked (the DuckDB file's look-ups, debug logs), indexes it in the file. Equality always
 * compares the full encoding, so no collision can ever serve another query's result.
 */
public final class CacheKey {
    private static final byte VERSION = 1;
    private static final int DIGEST_LENGTH = 32;

    private static final byte[] NONE = new byte[0];

    /**
     * Session states whose prefix all keys share. Kept for the life of the process, since entries
     * keep referring to them; a state beyond the bound gets a prefix of its own, charged to each key.
     */
    static final int MAX_SHARED_PREFIXES = 1024;
    private static final ConcurrentHashMap<ByteBuffer, Prefix> SHARED_PREFIXES = new ConcurrentHashMap<>();

    /**
     * The encoding is {@code head} followed by {@code tail}: for keys built from a {@link Prefix},
     * the session's shared prefix and this query's own bytes, so that a key does not copy the
     * prefix (hundreds of bytes with a session's settings); for keys read back from storage, the
     * whole encoding and nothing.
     */
    private final byte[] head;
    private final byte[] tail;
    /** Whether head is a shared prefix, which the key does not hold on its own. */
    private final boolean headShared;
    private final long hash64;
    /** Written once, when first asked for; volatile so that another thread sees the whole array. */
    private volatile byte[] digest;

    private CacheKey(byte[] head, boolean headShared, byte[] tail, long hash64) {
        this.head = head;
        this.headShared = headShared;
        this.tail = tail;
        this.hash64 = hash64;
    }

    /** A key of the prefix's session state: only the rest is hashed, from the prefix's hash. */
    private static CacheKey withPrefix(Prefix prefix, byte[] rest) {
        return new CacheKey(prefix.encoded, prefix.shared, rest, fnv1a(prefix.hash64, rest));
    }

    /** Key of a simple-protocol Query message. */
    public static CacheKey forSimpleQuery(SessionFingerprint fingerprint, String sql) {
        return forSimpleQuery(prefix(fingerprint), sql);
    }

    /** Key of a simple-protocol Query message, from a session state encoded once. */
    public static CacheKey forSimpleQuery(Prefix prefix, String sql) {
        Objects.requireNonNull(sql, "sql");
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        // Exactly its size (two tags and a length), so that the writer's array is the key's.
        KeyWriter w = new KeyWriter(2 + 4 + text.length);
        w.tag('Q').bytes('S', text);
        return withPrefix(prefix, w.toByteArray());
    }

    /**
     * The encoded session fingerprint that starts every key of that session state: one instance per
     * state for all sessions in it, while fewer than {@link #MAX_SHARED_PREFIXES} states are known.
     */
    public static Prefix prefix(SessionFingerprint fingerprint) {
        return prefixOf(header(fingerprint).toByteArray());
    }

    private static Prefix prefixOf(byte[] encoded) {
        ByteBuffer content = ByteBuffer.wrap(encoded);
        Prefix known = SHARED_PREFIXES.get(content);
        if (known != null) {
            return known;
        }
        if (SHARED_PREFIXES.size() >= MAX_SHARED_PREFIXES) {
            return new Prefix(encoded, false);
        }
        Prefix shared = new Prefix(encoded, true);
        Prefix raced = SHARED_PREFIXES.putIfAbsent(content, shared);
        return raced != null ? raced : shared;
    }

    /**
     * A session fingerprint encoded once, to build the keys of many queries of that state, with the
     * hash of that encoding: a key's hash then costs only the bytes after the prefix (the same hash
     * as of the whole encoding). Immutable, so it may be shared.
     */
    public static final class Prefix {
        private final byte[] encoded;
        private final long hash64;
        /** One of {@link #SHARED_PREFIXES}: held once, whatever the number of keys. */
        private final boolean shared;

        private Prefix(byte[] encoded, boolean shared) {
            this.encoded = encoded;
            this.hash64 = fnv1a(FNV_OFFSET_BASIS, encoded);
            this.shared = shared;
        }
    }

    /**
     * Key of one extended-protocol cycle (the messages up to Sync) of a session state encoded once.
     *
     * @param cycle             which messages the cycle holds, in order (Parse, Describe, Bind, ...):
     *                          the response differs with them, so the key does too
     * @param parameterTypeOids parameter types from Parse (0 = unspecified, as sent)
     * @param parameterValues   values from Bind, an element null for an SQL NULL
     * @param parameterFormats  parameter format codes from Bind, as sent
     * @param resultFormats     result format codes from Bind, as sent
     */
    public static CacheKey forExtendedQuery(Prefix prefix, String cycle, String sql, int[] parameterTypeOids,
            List<byte[]> parameterValues, short[] parameterFormats, short[] resultFormats) {
        Objects.requireNonNull(sql, "sql");
        int valueBytes = 0;
        for (byte[] value : parameterValues) {
            valueBytes += value == null ? 4 : value.length + 4;
        }
        KeyWriter w = new KeyWriter(sql.length() * 3 + valueBytes + 64);
        w.tag('E').string('C', cycle).string('S', sql).ints('T', parameterTypeOids);
        w.tag('V').int32(parameterValues.size());
        for (byte[] value : parameterValues) {
            w.lengthPrefixed(value);
        }
        w.shorts('P', parameterFormats).shorts('R', resultFormats);
        return withPrefix(prefix, w.toByteArray());
    }

    /** Rebuilds a key from {@link #encoded()}, as read back from storage. */
    public static CacheKey fromEncoded(byte[] encoded) {
        if (encoded.length == 0 || encoded[0] != VERSION) {
            throw new IllegalArgumentException("not a cache key of version " + VERSION);
        }
        int cut = headerLength(encoded);
        if (cut > 0) {
            // Shares its session state's prefix with the keys of live sessions, as a key built anew would.
            return withPrefix(prefixOf(Arrays.copyOf(encoded, cut)), Arrays.copyOfRange(encoded, cut, encoded.length));
        }
        byte[] copy = encoded.clone();
        return new CacheKey(copy, false, NONE, fnv1a(FNV_OFFSET_BASIS, copy));
    }

    /**
     * The SQL text this key holds (of a Query, or of the statement of an extended-protocol cycle),
     * decoded from the encoding: for metadata, not for the hot path. Null if it does not parse.
     */
    public String sql() {
        byte[] whole = encoded();
        int at = headerLength(whole);
        if (at < 0 || at >= whole.length || (whole[at] != 'Q' && whole[at] != 'E')) {
            return null;
        }
        at = whole[at] == 'E' ? skipString(whole, at + 1) : at + 1; // past the cycle's message types
        if (at < 0 || at + 5 > whole.length || whole[at] != 'S') {
            return null;
        }
        int length = readInt(whole, at + 1);
        if (length < 0 || at + 5L + length > whole.length) {
            return null;
        }
        return new String(whole, at + 5, length, StandardCharsets.UTF_8);
    }

    /** Where the session fingerprint written by {@link #header} ends in an encoding, or -1 if it does not parse. */
    private static int headerLength(byte[] encoded) {
        if (encoded.length < 2 || encoded[1] != 'F') {
            return -1;
        }
        int at = 2;
        for (int field = 0; field < HEADER_STRINGS && at >= 0; field++) {
            at = skipString(encoded, at);
        }
        if (at < 0 || at + 5 > encoded.length || encoded[at] != 'O') {
            return -1;
        }
        int settings = readInt(encoded, at + 1);
        if (settings < 0 || settings > encoded.length) {
            return -1;
        }
        at += 5;
        for (int i = 0; i < 2 * settings && at >= 0; i++) {
            at = skipString(encoded, at);
        }
        return at;
    }

    /** Past one tagged, length-prefixed value (length -1: null), or -1 when it runs beyond the end. */
    private static int skipString(byte[] encoded, int at) {
        if (at + 5 > encoded.length) {
            return -1;
        }
        int length = readInt(encoded, at + 1);
        long end = at + 5L + Math.max(0, length);
        return length < -1 || end > encoded.length ? -1 : (int) end;
    }

    private static int readInt(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8
                | bytes[at + 3] & 0xff;
    }

    /** The fixed settings of {@link #header}, each a tagged string. */
    private static final int HEADER_STRINGS = 11;

    private static KeyWriter header(SessionFingerprint f) {
        KeyWriter w = new KeyWriter(160);
        w.tag((char) VERSION).tag('F')
                .string('d', f.database())
                .string('u', f.sessionUser())
                .string('r', f.currentRole())
                .string('s', f.searchPath())
                .string('z', f.timeZone())
                .string('D', f.dateStyle())
                .string('I', f.intervalStyle())
                .string('x', f.extraFloatDigits())
                .string('b', f.byteaOutput())
                .string('c', f.clientEncoding())
                .string('q', f.standardConformingStrings());
        w.tag('O').int32(f.otherSettings().size());
        for (Map.Entry<String, String> setting : f.otherSettings().entrySet()) {
            w.string('k', setting.getKey()).string('v', setting.getValue());
        }
        return w;
    }

    /** A copy of the full encoding. */
    public byte[] encoded() {
        byte[] whole = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, whole, head.length, tail.length);
        return whole;
    }

    public int encodedLength() {
        return head.length + tail.length;
    }

    /** Bytes of the encoding that this key alone holds in memory: all but a shared prefix. */
    public int ownedLength() {
        return headShared ? tail.length : head.length + tail.length;
    }

    /** A copy of the 32-byte SHA-256 digest of the encoding. */
    public byte[] digest() {
        return sha256Digest().clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(sha256Digest());
    }

    private byte[] sha256Digest() {
        byte[] d = digest;
        if (d == null) {
            MessageDigest sha = SHA_256.get();
            sha.update(head);
            d = sha.digest(tail);
            assert d.length == DIGEST_LENGTH;
            digest = d;
        }
        return d;
    }

    /** 64 bits of hash of the encoding, for tables that keep more than a hash code's worth. */
    public long hash64() {
        return hash64;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey other && hash64 == other.hash64 && sameEncoding(other);
    }

    /** Whether the two encodings are equal, however each is split between head and tail. */
    private boolean sameEncoding(CacheKey other) {
        if (head == other.head) {
            return Arrays.equals(tail, other.tail);
        }
        if (encodedLength() != other.encodedLength()) {
            return false;
        }
        CacheKey shortHead = head.length <= other.head.length ? this : other;
        CacheKey longHead = shortHead == this ? other : this;
        int cut = shortHead.head.length;
        int rest = longHead.head.length - cut;
        // shortHead: [head][tail...........]
        // longHead:  [head.........][tail..]
        return Arrays.equals(shortHead.head, 0, cut, longHead.head, 0, cut)
                && Arrays.equals(shortHead.tail, 0, rest, longHead.head, cut, cut + rest)
                && Arrays.equals(shortHead.tail, rest, shortHead.tail.length, longHead.tail, 0, longHead.tail.length);
    }

    @Override
    public int hashCode() {
        return (int) (hash64 ^ (hash64 >>> 32));
    }

    @Override
    public String toString() {
        return "CacheKey[" + digestHex().substring(0, 16) + ", " + encodedLength() + " bytes]";
    }

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** FNV-1a of bytes, continued from hash: cheap on the event loop for the short keys of point look-ups. */
    private static long fnv1a(long hash, byte[] bytes) {
        long h = hash;
        for (int i = 0; i < bytes.length; i++) {
            h = (h ^ (bytes[i] & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    /** MessageDigest instances are not thread-safe, and looking one up costs more than hashing a key. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(CacheKey::newSha256);

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}

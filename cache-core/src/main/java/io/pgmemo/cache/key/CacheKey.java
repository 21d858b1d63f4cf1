package io.pgmemo.cache.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
     * The encoding is {@code head} followed by {@code tail}: for keys built from a {@link Prefix},
     * the session's shared prefix and this query's own bytes, so that a key does not copy the
     * prefix (hundreds of bytes with a session's settings); for keys read back from storage, the
     * whole encoding and nothing.
     */
    private final byte[] head;
    private final byte[] tail;
    private final long hash64;
    /** Written once, when first asked for; volatile so that another thread sees the whole array. */
    private volatile byte[] digest;

    private CacheKey(byte[] head, byte[] tail, long hash64) {
        this.head = head;
        this.tail = tail;
        this.hash64 = hash64;
    }

    /** A key of the prefix's session state: only the rest is hashed, from the prefix's hash. */
    private static CacheKey withPrefix(Prefix prefix, byte[] rest) {
        return new CacheKey(prefix.encoded, rest, fnv1a(prefix.hash64, rest));
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

    /** The encoded session fingerprint that starts every key of that session state. */
    public static Prefix prefix(SessionFingerprint fingerprint) {
        return new Prefix(header(fingerprint).toByteArray());
    }

    /**
     * A session fingerprint encoded once, to build the keys of many queries of that state, with the
     * hash of that encoding: a key's hash then costs only the bytes after the prefix (the same hash
     * as of the whole encoding). Immutable, so it may be shared.
     */
    public static final class Prefix {
        private final byte[] encoded;
        private final long hash64;

        private Prefix(byte[] encoded) {
            this.encoded = encoded;
            this.hash64 = fnv1a(FNV_OFFSET_BASIS, encoded);
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
        byte[] copy = encoded.clone();
        return new CacheKey(copy, NONE, fnv1a(FNV_OFFSET_BASIS, copy));
    }

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

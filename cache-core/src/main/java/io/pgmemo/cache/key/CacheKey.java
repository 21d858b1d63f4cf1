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
 * <p>The SHA-256 digest indexes the key (hash code, DuckDB look-up); equality always compares
 * the full encoding, so a digest collision can never serve another query's result.
 */
public final class CacheKey {
    private static final byte VERSION = 1;
    private static final int DIGEST_LENGTH = 32;

    private final byte[] encoded;
    private final byte[] digest;
    private final int hash;

    private CacheKey(byte[] encoded) {
        this(encoded, sha256(encoded));
    }

    private CacheKey(byte[] encoded, byte[] digest) {
        this.encoded = encoded;
        this.digest = digest;
        this.hash = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
    }

    /** A key whose encoding starts with the prefix: only the rest is hashed, from the prefix's hash state. */
    private static CacheKey withPrefix(Prefix prefix, byte[] encoded) {
        return new CacheKey(encoded, prefix.digestOf(encoded));
    }

    /** Key of a simple-protocol Query message. */
    public static CacheKey forSimpleQuery(SessionFingerprint fingerprint, String sql) {
        return forSimpleQuery(prefix(fingerprint), sql);
    }

    /** Key of a simple-protocol Query message, from a session state encoded once. */
    public static CacheKey forSimpleQuery(Prefix prefix, String sql) {
        Objects.requireNonNull(sql, "sql");
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        KeyWriter w = new KeyWriter(prefix.encoded.length + text.length + 16);
        w.raw(prefix.encoded).tag('Q').bytes('S', text);
        return withPrefix(prefix, w.toByteArray());
    }

    /** The encoded session fingerprint that starts every key of that session state. */
    public static Prefix prefix(SessionFingerprint fingerprint) {
        return new Prefix(header(fingerprint, 0).toByteArray());
    }

    /**
     * A session fingerprint encoded once, to build the keys of many queries of that state, with the
     * SHA-256 state after hashing it: a key's digest then costs only the bytes after the prefix (the
     * same digest as hashing the whole encoding). Never updated after construction, so it may be
     * shared.
     */
    public static final class Prefix {
        private final byte[] encoded;
        private final MessageDigest hashed;

        private Prefix(byte[] encoded) {
            this.encoded = encoded;
            this.hashed = newSha256();
            hashed.update(encoded);
        }

        private byte[] digestOf(byte[] key) {
            MessageDigest state;
            try {
                state = (MessageDigest) hashed.clone();
            } catch (CloneNotSupportedException e) {
                return sha256(key);
            }
            state.update(key, encoded.length, key.length - encoded.length);
            return state.digest();
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
        KeyWriter w = new KeyWriter(prefix.encoded.length + sql.length() * 3 + valueBytes + 64);
        w.raw(prefix.encoded).tag('E').string('C', cycle).string('S', sql).ints('T', parameterTypeOids);
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
        return new CacheKey(encoded.clone());
    }

    private static KeyWriter header(SessionFingerprint f, int sizeHint) {
        KeyWriter w = new KeyWriter(sizeHint + 160);
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
        return encoded.clone();
    }

    public int encodedLength() {
        return encoded.length;
    }

    /** A copy of the 32-byte SHA-256 digest of the encoding. */
    public byte[] digest() {
        return digest.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey other && hash == other.hash && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "CacheKey[" + digestHex().substring(0, 16) + ", " + encoded.length + " bytes]";
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

    private static byte[] sha256(byte[] bytes) {
        byte[] d = SHA_256.get().digest(bytes);
        assert d.length == DIGEST_LENGTH;
        return d;
    }
}

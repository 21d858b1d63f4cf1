package io.pgmemo.cache.tier;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import java.util.Random;

/** Entries for tests: entry {@code i} has SQL "select i" and a response derived from i alone. */
final class TestEntries {
    static final String DB = "app";
    static final SessionFingerprint FINGERPRINT = SessionFingerprint.builder(DB).sessionUser("alice").build();

    private TestEntries() {
    }

    static CacheKey key(int i) {
        return key(DB, i);
    }

    static CacheKey key(String database, int i) {
        return CacheKey.forSimpleQuery(FINGERPRINT.toBuilder().database(database).build(), sql(i));
    }

    static String sql(int i) {
        return "select " + i;
    }

    static byte[] response(int i, int size) {
        byte[] bytes = new byte[size];
        new Random(i).nextBytes(bytes);
        return bytes;
    }

    static CachedResult entry(int i, int size, long createdAt, long expiresAt, long... tables) {
        return entry(DB, i, size, createdAt, expiresAt, tables);
    }

    static CachedResult entry(String database, int i, int size, long createdAt, long expiresAt, long... tables) {
        return CachedResult.create(key(database, i), database, "alice", tables, response(i, size), i,
                createdAt, expiresAt);
    }

    /** The index i of an entry made here. */
    static int indexOf(CachedResult entry) {
        return Integer.parseInt(entry.sql().substring("select ".length()));
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.admission.ReadTemperature;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.Map;

/**
 * What a session knows of its own state: what its last {@link SessionProbe} found (role,
 * search_path, settings: the fingerprint its cache keys carry), the settings the server reports
 * (client_encoding, standard_conforming_strings), and the reads it has judged cacheable in that
 * state. Anything that may have changed the state {@link #forget}s it; the next read probes again.
 */
final class SessionState {
    private static final int MAX_KNOWN = 4096;

    /** A read judged cacheable in this state: a repeated hit skips lexing and hashing. */
    record KnownRead(CacheKey key, long[] relationOids, long epoch, ReadTemperature temperature) {
    }

    /**
     * A query shape (literals replaced) judged a cacheable read in this state: a new text of that
     * shape (a point lookup of another key) skips classification and the catalog's verdict.
     */
    record KnownShape(long[] relationOids, long epoch, boolean standardConformingStrings,
                      ReadTemperature temperature) {
    }

    /** An extended-protocol statement's SQL judged cacheable in this state. */
    record KnownStatement(long[] relationOids, long epoch, ReadTemperature temperature) {
    }

    private final Map<String, KnownRead> reads = new HashMap<>();
    private final Map<String, KnownShape> shapes = new HashMap<>();
    private final Map<String, KnownStatement> statements = new HashMap<>();
    private SessionProbe.Result probed;
    /** The fingerprint of {@link #probed}, encoded once for the keys of this state. */
    private CacheKey.Prefix keyPrefix;
    private String clientEncoding = "UTF8";
    private boolean standardConformingStrings = true;
    private String startupDatabase;

    /** The database named at startup: the session cannot change it. */
    void startupDatabase(String database) {
        this.startupDatabase = database;
    }

    String startupDatabase() {
        return startupDatabase;
    }

    /** True once a probe has said what the state is, and nothing since may have changed it. */
    boolean isKnown() {
        return probed != null;
    }

    /** The probe's result, or null while the state is not known; compared by identity to see a change. */
    SessionProbe.Result probed() {
        return probed;
    }

    /** The fingerprint, or null while the state is unknown or cannot be cached under (see the probe). */
    SessionFingerprint fingerprint() {
        return probed == null ? null : probed.fingerprint();
    }

    /** The probe found temporary relations: a name may resolve to one, so nothing is cached. */
    boolean hasTemporaryRelations() {
        return probed != null && probed.hasTemporaryRelations();
    }

    CacheKey.Prefix keyPrefix() {
        return keyPrefix;
    }

    /** The session's database: the probe's, else the one named at startup. */
    String database() {
        SessionFingerprint fingerprint = fingerprint();
        return fingerprint != null ? fingerprint.database() : startupDatabase;
    }

    void learn(SessionProbe.Result learned) {
        probed = learned;
        keyPrefix = learned.fingerprint() == null ? null : CacheKey.prefix(learned.fingerprint());
        forgetKnown();
    }

    void forget() {
        probed = null;
        keyPrefix = null;
        forgetKnown();
    }

    private void forgetKnown() {
        reads.clear();
        shapes.clear();
        statements.clear();
    }

    /** A ParameterStatus: the setting may change how statements lex and what the state is. */
    void onParameterStatus(String name, String value) {
        switch (name) {
            case "client_encoding" -> clientEncoding = value;
            case "standard_conforming_strings" -> standardConformingStrings = "on".equals(value);
            default -> { }
        }
        forget();
    }

    boolean standardConformingStrings() {
        return standardConformingStrings;
    }

    Charset charset() {
        return SessionProbe.charsetOf(clientEncoding);
    }

    KnownRead knownRead(String sql) {
        return reads.get(sql);
    }

    KnownShape knownShape(String shape) {
        return shapes.get(shape);
    }

    KnownStatement knownStatement(String sql) {
        return statements.get(sql);
    }

    void remember(String sql, KnownRead read) {
        bounded(reads).put(sql, read);
    }

    void remember(String shape, KnownShape known) {
        bounded(shapes).put(shape, known);
    }

    void remember(String sql, KnownStatement known) {
        bounded(statements).put(sql, known);
    }

    /** Each memo is per session and small; one that fills up starts over. */
    private static <V> Map<String, V> bounded(Map<String, V> memo) {
        if (memo.size() >= MAX_KNOWN) {
            memo.clear();
        }
        return memo;
    }
}

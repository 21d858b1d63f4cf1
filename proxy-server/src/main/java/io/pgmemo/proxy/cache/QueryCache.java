package io.pgmemo.proxy.cache;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.admission.Doorkeeper;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.cache.catalog.CatalogRules;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.PgCatalog;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.catalog.WriteScope;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.effects.StatementEffects;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.cache.tier.TieredCache;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide result cache: the tiers, the catalog verdicts (is this read cacheable for this
 * search_path and role, and which relations does it read), and invalidation. The catalog is read
 * inside the clients' own sessions ({@link CatalogLookUp}); its answers are shared by every session of
 * a database. Nothing here blocks.
 */
public final class QueryCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryCache.class);

    private final CacheConfig config;
    private final CacheStats stats = new CacheStats();
    private final TieredCache tiers;
    private final Map<String, PgCatalog> catalogs = new ConcurrentHashMap<>();
    private final Map<VerdictKey, ReadVerdict> verdicts = new ConcurrentHashMap<>();
    /** What forwarded statement strings change, per database and shape; see {@link #judgeWrites}. */
    private final Map<String, Invalidation> writeScopes = new ConcurrentHashMap<>();
    private final CatalogRules rules;
    private final CatalogHealth catalogHealth;
    private volatile long answersSince = System.nanoTime();
    private final ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(
            daemon("pgmemo-stats"));

    private static final int MAX_VERDICTS = 100_000;

    private final Doorkeeper doorkeeper;
    private final Map<CacheKey, Flight> flights = new ConcurrentHashMap<>();
    private final Map<String, List<Classification>> classifications = new ConcurrentHashMap<>();
    private final AtomicLong verdictEpoch = new AtomicLong();

    /** {@code shape}: the statement with its literals replaced, see {@link SqlShape}. */
    private record VerdictKey(String database, String searchPath, String role, String shape) {
    }

    public QueryCache(CacheConfig config, boolean persistent) {
        this.config = config;
        this.rules = CatalogRules.defaults().withMaxAge(config.catalogMaxAge());
        this.doorkeeper = new Doorkeeper(config.ttl().toMillis());
        this.tiers = persistent ? TieredCache.open(config, stats) : TieredCache.memoryOnly(config, stats);
        this.catalogHealth = new CatalogHealth(tiers::invalidateDatabase);
        statsLogger.scheduleAtFixedRate(() -> log.info("{} catalog: {}", stats.snapshot(), catalogHealth),
                60, 60, TimeUnit.SECONDS);
    }

    public CacheConfig config() {
        return config;
    }

    public TieredCache tiers() {
        return tiers;
    }

    public CacheStats stats() {
        return stats;
    }

    CatalogHealth catalogHealth() {
        return catalogHealth;
    }

    /**
     * The verdict for this read from what is already known (this shape before, or the catalog answers
     * kept for its names), or the catalog look-up to run first. While the database's catalog cannot be
     * read, the verdict is "not cacheable" at once.
     */
    Judgement<ReadVerdict> judgeRead(String database, String searchPath, String role, String shape,
                                     Classification read) {
        if (catalogHealth.unavailable(database)) {
            catalogHealth.relayedUncached();
            return Judgement.of(CatalogHealth.UNAVAILABLE);
        }
        expireAnswers();
        VerdictKey key = new VerdictKey(database, searchPath, role, shape);
        ReadVerdict verdict = verdicts.get(key);
        if (verdict != null) {
            return Judgement.of(verdict);
        }
        long epoch = verdictEpoch.get();
        Judgement<ReadVerdict> judgement = catalog(database).judgeRead(read, searchPath, role);
        if (judgement.isAnswered()) {
            remember(key, judgement.answer(), epoch);
        }
        return judgement;
    }

    /** Keeps the answer unless DDL or privileges changed since it was asked for. */
    private synchronized void remember(VerdictKey key, ReadVerdict verdict, long epoch) {
        if (verdictEpoch.get() != epoch) {
            return;
        }
        if (verdicts.size() >= MAX_VERDICTS) {
            verdicts.clear();
        }
        verdicts.put(key, verdict);
    }

    private PgCatalog catalog(String database) {
        return catalogs.computeIfAbsent(database, db -> new PgCatalog(rules));
    }

    /**
     * What a forwarded statement string may change: {@code fromText} (judged from its words alone)
     * narrowed to the relations it writes once the catalog has said which they are (and widened for a
     * read whose views, policies or operators call a function that writes), or the look-up to run
     * first. The answer holds for every session, whatever its search_path: an unqualified name counts
     * in every schema. While the database's catalog cannot be read, {@code fromText}: nothing of that
     * database is cached then (see {@link CatalogHealth}).
     */
    Judgement<Invalidation> judgeWrites(String database, SqlShape shape, boolean standardConformingStrings,
                                        List<Classification> statements, Invalidation fromText) {
        if (!StatementEffects.catalogCanBound(statements)
                || (fromText.isNone() && !StatementEffects.mayCallHiddenFunctions(statements))) {
            return Judgement.of(fromText);
        }
        if (catalogHealth.unavailable(database)) {
            return Judgement.of(fromText);
        }
        expireAnswers();
        String key = writeScopeKey(database, shape, standardConformingStrings);
        Invalidation known = writeScopes.get(key);
        if (known != null) {
            return Judgement.of(known);
        }
        long epoch = verdictEpoch.get();
        Invalidation scope = Invalidation.NONE;
        for (Classification statement : statements) {
            Judgement<WriteScope> one = catalog(database).judgeWrites(statement, null, null);
            if (!one.isAnswered()) {
                return Judgement.needs(one.lookUp());
            }
            scope = scope.and(Invalidation.of(one.answer()));
        }
        rememberWriteScope(key, scope, epoch);
        return Judgement.of(scope);
    }

    private static String writeScopeKey(String database, SqlShape shape, boolean standardConformingStrings) {
        return database + '\0' + (standardConformingStrings ? '1' : '0') + shape.text();
    }

    private synchronized void rememberWriteScope(String key, Invalidation scope, long epoch) {
        // Not an answer from before DDL or privileges changed.
        if (verdictEpoch.get() == epoch) {
            if (writeScopes.size() >= MAX_VERDICTS) {
                writeScopes.clear();
            }
            writeScopes.put(key, scope);
        }
    }

    /**
     * Kept answers follow the catalog's own: after {@link CatalogRules#maxAge()} they are asked again,
     * which bounds the effect of DDL that bypassed the proxy.
     */
    private void expireAnswers() {
        long since = answersSince;
        if (System.nanoTime() - since > rules.maxAge().toNanos()) {
            synchronized (this) {
                if (answersSince == since) {
                    forgetAnswers();
                    answersSince = System.nanoTime();
                }
            }
        }
    }

    private synchronized void forgetAnswers() {
        verdictEpoch.incrementAndGet();
        verdicts.clear();
        writeScopes.clear();
    }

    /** A write whose relations are known: drop what was cached from them. */
    void invalidateTables(String database, Set<Long> tableOids) {
        for (long oid : tableOids) {
            tiers.invalidateTable(database, oid);
        }
    }

    /** A write whose tables are not known: drop everything cached for its database. */
    void invalidateDatabase(String database) {
        tiers.invalidateDatabase(database);
    }

    /**
     * The classification of a query string, kept per shape (literals replaced) and per
     * standard_conforming_strings, which changes how the string lexes.
     */
    List<Classification> classification(SqlShape shape, boolean standardConformingStrings,
                                        Supplier<List<Classification>> classify) {
        String key = (standardConformingStrings ? "1" : "0") + shape.text();
        List<Classification> known = classifications.get(key);
        if (known == null) {
            known = classify.get();
            if (classifications.size() >= MAX_VERDICTS) {
                classifications.clear();
            }
            classifications.put(key, known);
        }
        return known;
    }

    /**
     * Whether a missed result should be stored: while the memory tier has room, since storing it
     * then displaces nothing; once full, on its second miss within one TTL, so that reads which never
     * repeat do not push out those that do.
     */
    Admission admit(CacheKey key, long nowMillis) {
        if (doorkeeper.admit(key, nowMillis)) {
            return Admission.REPEATED;
        }
        return tiers.memory().hasRoom() ? Admission.ROOM : Admission.REFUSED;
    }

    /** What {@link #admit} decided for a missed result, and why. */
    enum Admission {
        /** Missed before within one TTL: a read that repeats. Stored. */
        REPEATED,
        /** Not seen before within one TTL, while the memory tier has room. Stored. */
        ROOM,
        /** Not seen before within one TTL, with the memory tier full. Not stored. */
        REFUSED;

        boolean stores() {
            return this != REFUSED;
        }
    }

    /**
     * Joins the flight of an identical read already on its way upstream ({@code onLanded} is then
     * called with its result), or else starts one that the caller leads and must {@link #land}.
     *
     * @return the flight to lead, or null when the caller joined one
     */
    Flight joinOrLead(CacheKey key, Consumer<CachedResult> onLanded) {
        Flight flight = new Flight();
        while (true) {
            Flight existing = flights.putIfAbsent(key, flight);
            if (existing == null) {
                return flight;
            }
            if (existing.join(onLanded)) {
                return null;
            }
            // Landed, and its leader is about to take it out of the map.
            flights.remove(key, existing);
        }
    }

    /**
     * Ends a flight with the result stored for its key, or null when there is none to share. A result
     * that a write has made stale since it was stored is not shared: a session may have joined the
     * flight after that write committed (the leader's thread paused between storing and landing).
     */
    void land(CacheKey key, Flight flight, CachedResult stored) {
        flights.remove(key, flight);
        flight.land(stored != null && tiers.memory().holds(stored) ? stored : null);
    }

    /**
     * Changes whenever the verdicts are dropped, so sessions drop what they derived from them; past
     * the catalog's max age they are dropped first, so what a session remembers ages with them.
     */
    long verdictEpoch() {
        expireAnswers();
        return verdictEpoch.get();
    }

    /** Code ran that the catalog was not asked about: drop every entry, keep the verdicts. */
    void invalidateAllData() {
        tiers.invalidateAll();
    }

    /** Privileges, roles or the catalog changed: drop every entry and every verdict. */
    void invalidateAll() {
        forgetCatalogAnswers();
        tiers.invalidateAll();
    }

    /** The catalog changed in a way no cached result depends on (a temporary table): drop every verdict. */
    void forgetCatalogAnswers() {
        forgetAnswers();
        catalogs.values().forEach(PgCatalog::invalidate);
    }

    @Override
    public void close() {
        statsLogger.shutdownNow();
        tiers.close();
        log.info("cache closed: {}", stats.snapshot());
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.BoundedMemo;
import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.admission.Admission;
import io.pgmemo.cache.admission.Doorkeeper;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.admission.Flights;
import io.pgmemo.cache.admission.ReadTemperature;
import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.cache.catalog.CatalogRules;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.Classifications;
import io.pgmemo.cache.sql.SqlShape;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.cache.tier.TieredCache;
import io.pgmemo.cache.verdicts.Verdicts;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide result cache, as the sessions use it: the tiers, the catalog's verdicts
 * ({@link Verdicts}), the catalog's health, classifications kept per shape, admission of misses and
 * the reads in flight ({@link Flights}), each a class of cache-core; this wires them together and
 * logs the minute's statistics. Nothing here blocks.
 */
public final class QueryCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryCache.class);
    private static final int MAX_TEMPERATURES = 10_000;

    /** A read statement's shape (its Query's or Parse's text, literals replaced), in one database. */
    private record StatementOf(String database, String statement) {
    }

    private final CacheConfig config;
    private final CacheStats stats = new CacheStats();
    private final TieredCache tiers;
    private final CatalogHealth catalogHealth;
    private final Verdicts verdicts;
    private final Classifications classifications = new Classifications();
    private final Doorkeeper doorkeeper;
    private final Flights flights;
    private final BoundedMemo<StatementOf, ReadTemperature> temperatures = new BoundedMemo<>(MAX_TEMPERATURES);
    private final ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(
            daemon("pgmemo-stats"));

    public QueryCache(CacheConfig config, boolean persistent) {
        this.config = config;
        this.doorkeeper = new Doorkeeper(config.ttl().toMillis());
        this.tiers = persistent ? TieredCache.open(config, stats) : TieredCache.memoryOnly(config, stats);
        this.catalogHealth = new CatalogHealth(tiers::invalidateDatabase);
        this.verdicts = new Verdicts(CatalogRules.defaults().withMaxAge(config.catalogMaxAge()), catalogHealth);
        this.flights = new Flights(tiers.memory());
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

    /** Whether the reads of this statement pay for the cache, shared by every session ({@link ReadTemperature}). */
    ReadTemperature temperatureOf(String database, String statement) {
        return temperatures.get(new StatementOf(database, statement), any -> new ReadTemperature());
    }

    CatalogHealth catalogHealth() {
        return catalogHealth;
    }

    Classifications classifications() {
        return classifications;
    }

    /** See {@link Verdicts#judgeRead}. */
    Judgement<ReadVerdict> judgeRead(String database, String searchPath, String role, String shape,
                                     Classification read) {
        return verdicts.judgeRead(database, searchPath, role, shape, read);
    }

    /** See {@link Verdicts#judgeWrites}. */
    Judgement<Invalidation> judgeWrites(String database, SqlShape shape, boolean standardConformingStrings,
                                        List<Classification> statements, Invalidation fromText) {
        return verdicts.judgeWrites(database, shape, standardConformingStrings, statements, fromText);
    }

    /** See {@link Verdicts#epoch}. */
    long verdictEpoch() {
        return verdicts.epoch();
    }

    /** Whether a missed result should be stored; see {@link Admission#decide}. */
    Admission admit(CacheKey key, long nowMillis) {
        return Admission.decide(doorkeeper, tiers.memory(), key, nowMillis);
    }

    /** See {@link Flights#joinOrLead}. */
    Flight joinOrLead(CacheKey key, Consumer<CachedResult> onLanded) {
        return flights.joinOrLead(key, onLanded);
    }

    /** See {@link Flights#leadIfFree}. */
    Flight leadIfFree(CacheKey key) {
        return flights.leadIfFree(key);
    }

    /** See {@link Flights#land}. */
    void land(CacheKey key, Flight flight, CachedResult stored) {
        flights.land(key, flight, stored);
    }

    /** A write whose relations are known: drop what was cached from them. */
    void invalidateTables(String database, long... tableOids) {
        tiers.invalidateTables(database, tableOids);
    }

    /** A write whose tables are not known: drop everything cached for its database. */
    void invalidateDatabase(String database) {
        tiers.invalidateDatabase(database);
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
        verdicts.forgetAll();
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

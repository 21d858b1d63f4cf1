package io.pgmemo.proxy.cache;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.catalog.CatalogRules;
import io.pgmemo.cache.catalog.PgCatalog;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.cache.tier.TieredCache;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-wide result cache: the tiers, the catalog verdicts (is this read cacheable for this
 * search_path and role, and which relations does it read), and invalidation. Catalog look-ups are
 * blocking JDBC and run on their own executor, never on an event loop.
 */
public final class QueryCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryCache.class);

    private final CacheConfig config;
    private final CatalogLogin login;
    private final CacheStats stats = new CacheStats();
    private final TieredCache tiers;
    private final Map<String, PgCatalog> catalogs = new ConcurrentHashMap<>();
    private final Map<VerdictKey, ReadVerdict> verdicts = new ConcurrentHashMap<>();
    private final ExecutorService catalogExecutor = Executors.newFixedThreadPool(2, daemon("pgmemo-catalog"));
    private final ScheduledExecutorService statsLogger = Executors.newSingleThreadScheduledExecutor(
            daemon("pgmemo-stats"));

    /** How the proxy logs in to the upstream for catalog look-ups; the password is never logged. */
    public record CatalogLogin(String host, int port, String user, String password) {
        @Override
        public String toString() {
            return "CatalogLogin[" + user + "@" + host + ":" + port + "]";
        }
    }

    private static final int MAX_VERDICTS = 100_000;
    private static final long CATALOG_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ReadVerdict CATALOG_DOWN = new ReadVerdict(false, "catalog unreachable", java.util.Set.of());

    private final Map<String, Long> catalogDownSince = new ConcurrentHashMap<>();
    private final Doorkeeper doorkeeper = new Doorkeeper();
    private final Map<String, List<Classification>> classifications = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong verdictEpoch = new java.util.concurrent.atomic.AtomicLong();

    /** {@code shape}: the statement with its literals replaced, see {@link SqlShape}. */
    private record VerdictKey(String database, String searchPath, String role, String shape) {
    }

    public QueryCache(CacheConfig config, CatalogLogin login, boolean persistent) {
        this.config = config;
        this.login = login;
        this.tiers = persistent ? TieredCache.open(config, stats) : TieredCache.memoryOnly(config, stats);
        statsLogger.scheduleAtFixedRate(() -> log.info("{}", stats.snapshot()), 60, 60, TimeUnit.SECONDS);
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

    /**
     * A verdict for this read from what is already known (this exact text before, or the catalog
     * answers kept for its names), or null when the catalog must be asked. Non-blocking.
     */
    ReadVerdict knownVerdict(String database, String searchPath, String role, String shape, Classification read) {
        VerdictKey key = new VerdictKey(database, searchPath, role, shape);
        ReadVerdict verdict = verdicts.get(key);
        if (verdict != null) {
            return verdict;
        }
        if (System.nanoTime() - catalogDownSince.getOrDefault(database, Long.MIN_VALUE / 2) < CATALOG_RETRY_NANOS) {
            return CATALOG_DOWN;
        }
        verdict = catalog(database).checkReadIfKnown(read, searchPath, role).orElse(null);
        if (verdict != null) {
            remember(key, verdict);
        }
        return verdict;
    }

    /** Asks the catalog on the catalog executor; a failure gives "not cacheable". */
    CompletableFuture<ReadVerdict> verdict(String database, String searchPath, String role, String shape,
                                           Classification read) {
        VerdictKey key = new VerdictKey(database, searchPath, role, shape);
        return CompletableFuture.supplyAsync(() -> {
            ReadVerdict verdict = catalog(database).checkRead(read, searchPath, role);
            if (!verdict.cacheable() && verdict.reason() != null && verdict.reason().startsWith("catalog look-up failed")) {
                // Do not make every query wait for a catalog that is down; try again later.
                catalogDownSince.put(database, System.nanoTime());
                return verdict;
            }
            remember(key, verdict);
            return verdict;
        }, catalogExecutor);
    }

    private void remember(VerdictKey key, ReadVerdict verdict) {
        if (verdicts.size() >= MAX_VERDICTS) {
            verdicts.clear();
        }
        verdicts.put(key, verdict);
    }

    private PgCatalog catalog(String database) {
        return catalogs.computeIfAbsent(database, db -> new PgCatalog(() -> {
            Properties properties = new Properties();
            properties.setProperty("user", login.user());
            if (login.password() != null) {
                properties.setProperty("password", login.password());
            }
            properties.setProperty("ApplicationName", "pgmemo-catalog");
            properties.setProperty("connectTimeout", "5");
            return DriverManager.getConnection("jdbc:postgresql://" + login.host() + ":" + login.port() + "/" + db,
                    properties);
        }, CatalogRules.defaults()));
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
                                        java.util.function.Supplier<List<Classification>> classify) {
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

    /** Whether a missed result should be captured and stored: on its second miss. */
    boolean admit(io.pgmemo.cache.key.CacheKey key, String sql) {
        return doorkeeper.admit(key, sql);
    }

    /** Changes whenever the verdicts are dropped, so sessions drop what they derived from them. */
    long verdictEpoch() {
        return verdictEpoch.get();
    }

    /** Privileges, roles or the catalog changed: drop every entry and every verdict. */
    void invalidateAll() {
        verdictEpoch.incrementAndGet();
        verdicts.clear();
        catalogs.values().forEach(PgCatalog::invalidate);
        tiers.invalidateAll();
    }

    @Override
    public void close() {
        statsLogger.shutdownNow();
        catalogExecutor.shutdownNow();
        catalogs.values().forEach(PgCatalog::close);
        tiers.close();
        log.info("cache closed: {}", stats.snapshot());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}

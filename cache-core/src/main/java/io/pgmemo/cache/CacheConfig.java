package io.pgmemo.cache;

import io.pgmemo.cache.catalog.CatalogRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the result cache.
 *
 * @param ttl           how long an entry may be served after it was stored
 * @param memoryBytes   bound of the in-memory hot tier
 * @param file          the DuckDB file of the persistent tier
 * @param maxFileBytes  bound of the entry bytes kept in the DuckDB file (--cache-max-bytes)
 * @param maxEntryBytes largest single entry either tier accepts (the memory tier also takes none larger
 *                      than its whole bound)
 * @param catalogMaxAge how long the upstream catalog's answers (which reads may be cached, what a
 *                      write touches) are kept before being looked up again: the bound on DDL that
 *                      bypassed the proxy
 */
public record CacheConfig(Duration ttl, long memoryBytes, Path file, long maxFileBytes, long maxEntryBytes,
                          Duration catalogMaxAge) {

    public static final Duration DEFAULT_TTL = Duration.ofSeconds(120);
    public static final long DEFAULT_MEMORY_BYTES = 256L << 20;
    public static final Path DEFAULT_FILE = Path.of("pgmemo-cache.duckdb");
    public static final long DEFAULT_MAX_FILE_BYTES = 500L << 20;
    public static final long DEFAULT_MAX_ENTRY_BYTES = 8L << 20;
    public static final Duration DEFAULT_CATALOG_MAX_AGE = CatalogRules.defaults().maxAge();

    public CacheConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(catalogMaxAge, "catalogMaxAge");
        requirePositive("ttl", ttl);
        requirePositive("catalogMaxAge", catalogMaxAge);
        requirePositive("memoryBytes", memoryBytes);
        requirePositive("maxFileBytes", maxFileBytes);
        requirePositive("maxEntryBytes", maxEntryBytes);
    }

    public static CacheConfig defaults() {
        return new CacheConfig(DEFAULT_TTL, DEFAULT_MEMORY_BYTES, DEFAULT_FILE, DEFAULT_MAX_FILE_BYTES,
                DEFAULT_MAX_ENTRY_BYTES, DEFAULT_CATALOG_MAX_AGE);
    }

    public CacheConfig withTtl(Duration value) {
        return new CacheConfig(value, memoryBytes, file, maxFileBytes, maxEntryBytes, catalogMaxAge);
    }

    public CacheConfig withMemoryBytes(long value) {
        return new CacheConfig(ttl, value, file, maxFileBytes, maxEntryBytes, catalogMaxAge);
    }

    public CacheConfig withFile(Path value) {
        return new CacheConfig(ttl, memoryBytes, value, maxFileBytes, maxEntryBytes, catalogMaxAge);
    }

    public CacheConfig withMaxFileBytes(long value) {
        return new CacheConfig(ttl, memoryBytes, file, value, maxEntryBytes, catalogMaxAge);
    }

    public CacheConfig withMaxEntryBytes(long value) {
        return new CacheConfig(ttl, memoryBytes, file, maxFileBytes, value, catalogMaxAge);
    }

    public CacheConfig withCatalogMaxAge(Duration value) {
        return new CacheConfig(ttl, memoryBytes, file, maxFileBytes, maxEntryBytes, value);
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}

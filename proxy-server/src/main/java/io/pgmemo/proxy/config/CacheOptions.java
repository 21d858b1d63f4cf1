package io.pgmemo.proxy.config;

import io.pgmemo.cache.CacheConfig;

/**
 * The result cache's settings. It needs no login of its own: the catalog is read inside the
 * clients' sessions.
 *
 * @param enabled    serve repeated reads from the cache
 * @param config     TTL and size bounds, the DuckDB file
 * @param persistent keep entries in the DuckDB file (false: memory only)
 */
public record CacheOptions(boolean enabled, CacheConfig config, boolean persistent) {

    public static final CacheOptions DISABLED = new CacheOptions(false, CacheConfig.defaults(), false);

    /** A memory-only cache with default bounds, for tests. */
    public static CacheOptions memoryOnly() {
        return new CacheOptions(true, CacheConfig.defaults(), false);
    }
}

package io.pgmemo.proxy.config;

import io.pgmemo.cache.CacheConfig;

/**
 * The result cache's settings.
 *
 * @param enabled         serve repeated reads from the cache
 * @param config          TTL and size bounds, the DuckDB file
 * @param persistent      keep entries in the DuckDB file (false: memory only)
 * @param catalogUser     upstream login for catalog look-ups (function volatility, relations)
 * @param catalogPassword its password, or null; never logged
 */
public record CacheOptions(boolean enabled, CacheConfig config, boolean persistent, String catalogUser,
                           String catalogPassword) {

    public static final CacheOptions DISABLED = new CacheOptions(false, CacheConfig.defaults(), false, "postgres", null);

    /** A memory-only cache with default bounds, for tests. */
    public static CacheOptions memoryOnly(String catalogUser, String catalogPassword) {
        return new CacheOptions(true, CacheConfig.defaults(), false, catalogUser, catalogPassword);
    }

    @Override
    public String toString() {
        return "CacheOptions[enabled=" + enabled + ", " + config + ", persistent=" + persistent
                + ", catalogUser=" + catalogUser + "]";
    }
}

package io.pgmemo.cache.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * What the catalog look-ups allow beyond the defaults.
 *
 * @param allowSystemCatalogs queries over pg_catalog and information_schema relations may be cached
 *                            (their changes are seen only through DDL via the proxy or {@code maxAge})
 * @param allowTimeFunctions  now(), current_timestamp, 'now' and the like may be cached (results are then
 *                            as old as the entry)
 * @param maxAge              how long catalog answers are kept before being looked up again, which bounds
 *                            the effect of DDL that bypassed the proxy
 */
public record CatalogRules(boolean allowSystemCatalogs, boolean allowTimeFunctions, Duration maxAge) {

    public CatalogRules {
        Objects.requireNonNull(maxAge, "maxAge");
    }

    /** No system catalogs, no time functions, answers kept for 60 seconds. */
    public static CatalogRules defaults() {
        return new CatalogRules(false, false, Duration.ofSeconds(60));
    }

    public CatalogRules withMaxAge(Duration value) {
        return new CatalogRules(allowSystemCatalogs, allowTimeFunctions, value);
    }
}

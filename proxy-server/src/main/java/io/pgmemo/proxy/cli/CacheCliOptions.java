package io.pgmemo.proxy.cli;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.proxy.config.CacheOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The result cache's options; each also settable by its environment variable. */
final class CacheCliOptions {

    @Option(names = "--cache", negatable = true, defaultValue = "${env:PGMEMO_CACHE:-true}", fallbackValue = "true",
            description = "Answer repeated reads from the result cache (env PGMEMO_CACHE). Default: ${DEFAULT-VALUE}.")
    boolean enabled;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PGMEMO_TTL:-120s}",
            description = "How long a cached result may be served; also the staleness bound for writes that "
                    + "bypass the proxy (env PGMEMO_TTL). Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    @Option(names = "--cache-memory", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            defaultValue = "${env:PGMEMO_CACHE_MEMORY:-256MB}",
            description = "Bound of the in-memory tier (env PGMEMO_CACHE_MEMORY). Default: ${DEFAULT-VALUE}.")
    long memoryBytes;

    @Option(names = "--cache-file", paramLabel = "PATH", defaultValue = "${env:PGMEMO_CACHE_FILE:-pgmemo-cache.duckdb}",
            description = "DuckDB file that keeps entries across restarts; 'none' for memory only "
                    + "(env PGMEMO_CACHE_FILE). Default: ${DEFAULT-VALUE}.")
    String file;

    @Option(names = "--cache-max-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            defaultValue = "${env:PGMEMO_CACHE_MAX_BYTES:-500MB}",
            description = "Bound of the DuckDB file (env PGMEMO_CACHE_MAX_BYTES). Default: ${DEFAULT-VALUE}.")
    long maxFileBytes;

    @Option(names = "--max-entry-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            defaultValue = "${env:PGMEMO_MAX_ENTRY_BYTES:-8MB}",
            description = "A larger result streams through and is not stored (env PGMEMO_MAX_ENTRY_BYTES). "
                    + "Default: ${DEFAULT-VALUE}.")
    long maxEntryBytes;

    CacheOptions toOptions() {
        boolean persistent = !"none".equals(file);
        CacheConfig config = new CacheConfig(ttl, memoryBytes, persistent ? Path.of(file) : CacheConfig.DEFAULT_FILE,
                maxFileBytes, maxEntryBytes, CacheConfig.DEFAULT_CATALOG_MAX_AGE);
        return new CacheOptions(enabled, config, persistent);
    }
}

package io.pgmemo.cache.tier;

import java.nio.file.Path;

/** The cache file is already open for writing, by another pgmemo instance or another process. */
public final class CacheFileLockedException extends RuntimeException {

    public CacheFileLockedException(Path file, Throwable cause) {
        super("cache file " + file + " is in use by another process (only one pgmemo instance may open it;"
                + " give each instance its own --cache-file)", cause);
    }
}

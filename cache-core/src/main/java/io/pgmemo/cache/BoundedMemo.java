package io.pgmemo.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;

/**
 * Answers kept for reuse (catalog verdicts, write scopes, classifications), at most {@code maxEntries}
 * of them: past that, those least likely to be asked again give way (Caffeine's W-TinyLFU), instead
 * of all being dropped at once. Thread-safe, never blocks; the upkeep runs on the caller's thread.
 */
public final class BoundedMemo<K, V> {
    private final Cache<K, V> entries;

    public BoundedMemo(long maxEntries) {
        this.entries = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
    }

    /** The kept answer, or null. */
    public V get(K key) {
        return entries.getIfPresent(key);
    }

    /** The kept answer, made by {@code make} and kept when there is none. */
    public V get(K key, Function<? super K, ? extends V> make) {
        return entries.get(key, make);
    }

    public void put(K key, V value) {
        entries.put(key, value);
    }

    public void clear() {
        entries.invalidateAll();
    }

    /** About how many answers are kept. */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}

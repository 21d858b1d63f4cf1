package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class LruMemoryTierTest extends MemoryTierContract {

    @Override
    MemoryTier newTier(long maxBytes, long maxEntryBytes, CacheStats stats, MemoryTierListener listener) {
        return new LruMemoryTier(maxBytes, maxEntryBytes, stats, listener);
    }

    @Test
    void evictsTheLeastRecentlyUsed() {
        MemoryTier tier = tier(3 * fresh(1).memoryBytes());
        tier.put(fresh(1));
        tier.put(fresh(2));
        tier.put(fresh(3));
        tier.get(key(1), NOW);

        tier.put(fresh(4));

        assertThat(tier.get(key(2), NOW)).isNull();
        assertThat(List.of(1, 3, 4)).allSatisfy(i -> assertThat(tier.get(key(i), NOW)).isNotNull());
    }
}

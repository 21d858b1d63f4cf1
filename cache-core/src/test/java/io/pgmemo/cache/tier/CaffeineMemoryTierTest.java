package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CaffeineMemoryTierTest extends MemoryTierContract {

    @Override
    MemoryTier newTier(long maxBytes, long maxEntryBytes, CacheStats stats, MemoryTierListener listener) {
        return new CaffeineMemoryTier(maxBytes, maxEntryBytes, stats, listener);
    }

    /** W-TinyLFU: results read again and again are not pushed out by a run of results read once. */
    @Test
    void aScanOfOneTimeResultsLeavesTheRepeatedOnes() {
        MemoryTier tier = tier(100 * fresh(0).memoryBytes());
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 50; i++) {
                if (tier.get(key(i), NOW) == null) {
                    tier.put(fresh(i));
                }
            }
        }

        for (int i = 1000; i < 3000; i++) {
            tier.put(fresh(i));
        }

        long kept = IntStream.range(0, 50).filter(i -> tier.get(key(i), NOW) != null).count();
        assertThat(kept).isGreaterThanOrEqualTo(45);
        assertThat(tier.bytes()).isLessThanOrEqualTo(tier.maxBytes());
    }

    @Test
    void expiresEachEntryAtItsOwnTimeWithoutALookUp() {
        MemoryTier tier = tier(1 << 20);
        tier.put(TestEntries.entry(1, SIZE, NOW, NOW + 1_000));
        tier.put(TestEntries.entry(2, SIZE, NOW, NOW + 600_000));

        tier.put(TestEntries.entry(3, SIZE, NOW + 5_000, NOW + 600_000));

        assertThat(tier.size()).as("entry 1 expired on the tier's clock").isEqualTo(2);
        assertThat(tier.get(key(2), NOW + 5_000)).isNotNull();
    }
}

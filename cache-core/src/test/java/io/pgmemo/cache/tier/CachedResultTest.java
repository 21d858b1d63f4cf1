package io.pgmemo.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachedResultTest {

    @Test
    void checksumDetectsAChangedResponse() {
        CachedResult entry = TestEntries.entry(1, 100, 0, 1000, 42);
        assertThat(entry.verify()).isTrue();

        entry.response()[50] ^= 1;

        assertThat(entry.verify()).isFalse();
    }

    @Test
    void restoredEntryWithAWrongChecksumFailsVerification() {
        CachedResult good = TestEntries.entry(1, 100, 0, 1000);
        CachedResult bad = CachedResult.restore(good.key(), good.database(), good.role(), good.tableOids(),
                good.response(), good.rows(), good.createdAt(), good.expiresAt(), good.checksum() + 1, 0, 0);

        assertThat(bad.verify()).isFalse();
    }

    @Test
    void responseIsSharedAndOidsAreCopied() {
        byte[] response = {1, 2, 3};
        long[] tables = {7, 8};
        CachedResult entry = CachedResult.create(TestEntries.key(1), "app", null, tables, response, 1, 0, 10);
        tables[0] = 99;

        assertThat(entry.response()).isSameAs(response);
        assertThat(entry.tableOids()).containsExactly(7, 8);
        assertThat(entry.sizeBytes()).isEqualTo(3 + entry.key().encodedLength() + CachedResult.FIXED_OVERHEAD_BYTES + 16);
    }

    @Test
    void expiryAndHits() {
        CachedResult entry = TestEntries.entry(1, 10, 100, 200);

        assertThat(entry.lastHit()).isEqualTo(100);
        assertThat(entry.isExpired(199)).isFalse();
        assertThat(entry.isExpired(200)).isTrue();
        assertThat(entry.recordHit(150)).isEqualTo(100);
        assertThat(entry.hits()).isEqualTo(1);
        assertThat(entry.lastHit()).isEqualTo(150);
    }
}

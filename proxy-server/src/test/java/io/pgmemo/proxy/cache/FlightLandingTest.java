package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.key.SessionFingerprint;
import io.pgmemo.cache.tier.CachedResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What sessions waiting on an identical read (followers of its flight) are given when it lands. The
 * leader's thread may pause between storing the result and landing the flight, while a write commits
 * and a new session joins: that session must not get the older result.
 */
class FlightLandingTest {
    private static final String DATABASE = "demo";
    private static final long TABLE = 4242;
    private static final String SQL = "SELECT n FROM counter WHERE id = 1";

    private final QueryCache cache = new QueryCache(CacheConfig.defaults(), false);
    private final CacheKey key = CacheKey.forSimpleQuery(SessionFingerprint.builder(DATABASE).build(), SQL);
    private final List<CachedResult> given = new ArrayList<>();

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void aFollowerGetsTheStoredResult() {
        Flight flight = cache.joinOrLead(key, landed -> { });
        CachedResult stored = store(cache.tiers().invalidationSequence());
        assertThat(cache.joinOrLead(key, given::add)).as("joined the flight").isNull();

        cache.land(key, flight, stored);

        assertThat(given).containsExactly(stored);
    }

    @Test
    void aResultMadeStaleBeforeTheFlightLandsIsNotShared() {
        Flight flight = cache.joinOrLead(key, landed -> { });
        CachedResult stored = store(cache.tiers().invalidationSequence());
        // The leader pauses here; a write to the table commits, then another session sends the read.
        cache.invalidateTables(DATABASE, TABLE);
        assertThat(cache.joinOrLead(key, given::add)).as("joined the flight").isNull();

        cache.land(key, flight, stored);

        assertThat(given).as("nothing to share: the follower sends its own query").containsExactly((CachedResult) null);
    }

    /**
     * Two sessions on different event loops miss the same key at the same moment, over and over: one
     * leads and the other joins, however their calls interleave (both may find no flight and race to
     * start one).
     */
    @Test
    void sessionsMissingAtOnceHaveOneLeader() throws Exception {
        int rounds = 100_000;
        CacheKey[] keys = new CacheKey[rounds];
        for (int round = 0; round < rounds; round++) {
            keys[round] = CacheKey.forSimpleQuery(SessionFingerprint.builder(DATABASE).build(), SQL + round);
        }
        AtomicIntegerArray leaders = new AtomicIntegerArray(rounds);
        AtomicInteger[] reached = {new AtomicInteger(), new AtomicInteger()};
        ExecutorService loops = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int me = 0; me < 2; me++) {
                AtomicInteger mine = reached[me];
                AtomicInteger other = reached[1 - me];
                done.add(loops.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        mine.set(round);
                        while (other.get() < round) {
                            Thread.onSpinWait();
                        }
                        if (cache.joinOrLead(keys[round], landed -> { }) != null) {
                            leaders.incrementAndGet(round);
                        }
                    }
                }));
            }
            for (Future<?> loop : done) {
                loop.get(60, TimeUnit.SECONDS);
            }
        } finally {
            loops.shutdownNow();
        }
        for (int round = 0; round < rounds; round++) {
            assertThat(leaders.get(round)).as("leaders in round %d", round).isEqualTo(1);
        }
    }

    private CachedResult store(long sequence) {
        CachedResult entry = cache.tiers().newEntry(key, DATABASE, "postgres", new long[] {TABLE},
                "row".getBytes(StandardCharsets.US_ASCII), 1, System.currentTimeMillis());
        assertThat(cache.tiers().put(entry, sequence)).as("stored").isTrue();
        return entry;
    }
}

package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.cache.admission.Admission;
import io.pgmemo.cache.admission.Flight;
import io.pgmemo.cache.admission.ReadTemperature;
import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.cache.tier.MemoryTier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of cacheable reads, for both protocols: answered from the cache, or sent upstream
 * with their results captured (leading the flight other sessions' identical reads may wait for), or,
 * for a read sent alone, waiting for an identical read already on its way.
 */
final class HitOrLead {
    /**
     * A read the cache may answer: its key, the relations it reads, its messages (see
     * {@link CapturedRead}), whether it has its own Parse, whose ParseComplete the answer begins with,
     * and whether its statement's reads pay for the cache.
     */
    record Read(CacheKey key, long[] relationOids, int messages, boolean parsed, ReadTemperature temperature) {
    }

    sealed interface Outcome {
    }

    /** Every read is stored: the reply, ending in ReadyForQuery (idle), as the upstream would send it. */
    record Answer(ByteBuf reply) implements Outcome {
    }

    /**
     * Send the request upstream, capturing {@code reads} (see {@link Expectation.Capture}), with the
     * invalidation {@code sequence} read now; {@code admission} is that of a read sent alone.
     */
    record Lead(List<CapturedRead> reads, long sequence, Admission admission) implements Outcome {
    }

    /** An identical read of another session is on its way: wait for it to land. */
    record Follow() implements Outcome {
    }

    /** The read's statement is cold ({@link ReadTemperature}): send it upstream as the relay does, nothing captured. */
    record Relay() implements Outcome {
    }

    private static final Logger log = LoggerFactory.getLogger(HitOrLead.class);
    private static final byte[] READY_IDLE = {'Z', 0, 0, 0, 5, 'I'};
    private static final byte[] PARSE_COMPLETE = {'1', 0, 0, 0, 4};

    private final QueryCache cache;
    private final BooleanSupplier tierChooses = this::tierChooses;

    HitOrLead(QueryCache cache) {
        this.cache = cache;
    }

    /**
     * A read sent alone, with nothing before it in flight. {@code onLanded} is called, on any thread,
     * with the result of the flight it follows (null when there is none to share).
     */
    Outcome one(Read read, Consumer<CachedResult> onLanded) {
        long now = System.currentTimeMillis();
        if (read.temperature().bypasses(read.key(), now)) {
            cache.stats().relayedCold();
            return new Relay();
        }
        CachedResult hit = cache.tiers().getHot(read.key(), now);
        if (hit != null) {
            read.temperature().looked(read.key(), true, tierChooses, now);
            logHit(read.key());
            return answer(List.of(read), List.of(hit));
        }
        missed(read.key());
        Flight flight = cache.joinOrLead(read.key(), onLanded);
        // Answered by another session's flight: the upstream runs it once, as for a hit.
        read.temperature().looked(read.key(), flight == null, tierChooses, now);
        if (flight == null) {
            return new Follow();
        }
        long sequence = cache.tiers().invalidationSequence();
        Admission admission = cache.admit(read.key(), now);
        return new Lead(List.of(captured(read, flight, admission)), sequence, admission);
    }

    /**
     * Reads sent together, in one cycle or behind others in flight: answered only if all are stored;
     * else they go upstream, each miss captured (never waiting: their replies must stay in order).
     */
    Outcome all(List<Read> reads) {
        long now = System.currentTimeMillis();
        List<CachedResult> hits = new ArrayList<>(reads.size());
        boolean allStored = true;
        for (Read read : reads) {
            CachedResult hit = cache.tiers().peekHot(read.key(), now);
            hits.add(hit);
            allStored &= hit != null;
        }
        if (!allStored) {
            return lead(reads, hits, now);
        }
        for (int i = 0; i < hits.size(); i++) {
            cache.tiers().served(hits.get(i));
            logHit(reads.get(i).key());
        }
        return answer(reads, hits);
    }

    /** @param stored each read's stored entry, or null for a miss */
    private Lead lead(List<Read> reads, List<CachedResult> stored, long now) {
        long sequence = cache.tiers().invalidationSequence();
        List<CapturedRead> captured = new ArrayList<>(reads.size());
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            if (stored.get(i) != null) {
                captured.add(new CapturedRead(read.key(), read.relationOids(), null, false, null, read.messages()));
                continue;
            }
            missed(read.key());
            captured.add(captured(read, cache.leadIfFree(read.key()), cache.admit(read.key(), now)));
        }
        return new Lead(captured, sequence, null);
    }

    /**
     * A captured request ended: stores each of its reads worth keeping, when {@code state} (the
     * session's, or null when the request did not end outside a transaction block) still keys them,
     * and lands each flight for the sessions waiting on it.
     */
    void land(Expectation.Capture capture, SessionState state) {
        for (CapturedRead read : capture.reads()) {
            CachedResult stored = read.wanted() && state != null ? store(read, capture.sequence(), state) : null;
            if (read.flight() != null) {
                cache.land(read.key(), read.flight(), stored);
            }
        }
    }

    /** The entry stored, or null. */
    private CachedResult store(CapturedRead read, long sequence, SessionState state) {
        ResultCapture result = read.result();
        if (result.isAbandoned() || !state.isKnown() || state.fingerprint() == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        CachedResult entry = cache.tiers().newEntry(read.key(), state.fingerprint().database(),
                state.fingerprint().currentRole(), read.relationOids(), result.toByteArray(), result.rows(), now);
        // Refused when a write invalidated it meanwhile: then no waiting session may have it either.
        return cache.tiers().put(entry, sequence) ? entry : null;
    }

    private CapturedRead captured(Read read, Flight flight, Admission admission) {
        return new CapturedRead(read.key(), read.relationOids(), new ResultCapture(cache.config().maxEntryBytes()),
                admission.stores(), flight, read.messages());
    }

    /** The reply of one stored read, as the upstream would send it. */
    static ByteBuf reply(Read read, CachedResult hit) {
        return answer(List.of(read), List.of(hit)).reply();
    }

    private static Answer answer(List<Read> reads, List<CachedResult> hits) {
        List<byte[]> parts = new ArrayList<>(hits.size() * 2 + 1);
        for (int i = 0; i < hits.size(); i++) {
            if (reads.get(i).parsed()) {
                parts.add(PARSE_COMPLETE);
            }
            parts.add(hits.get(i).response());
        }
        parts.add(READY_IDLE);
        return new Answer(Unpooled.wrappedBuffer(parts.toArray(new byte[0][])));
    }

    /** The memory tier keeps one result only in place of another (or of one that would go unread). */
    private boolean tierChooses() {
        MemoryTier memory = cache.tiers().memory();
        return !memory.hasRoom() || !memory.roomPays();
    }

    private void missed(CacheKey key) {
        cache.stats().miss();
        if (log.isDebugEnabled()) {
            log.debug("miss {}", key.digestHex());
        }
    }

    private static void logHit(CacheKey key) {
        if (log.isDebugEnabled()) {
            log.debug("hit {}", key.digestHex());
        }
    }
}

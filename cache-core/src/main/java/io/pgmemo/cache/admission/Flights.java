package io.pgmemo.cache.admission;

import io.pgmemo.cache.key.CacheKey;
import io.pgmemo.cache.tier.CachedResult;
import io.pgmemo.cache.tier.MemoryTier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The reads on their way upstream, one {@link Flight} per key, which identical reads wait for. */
public final class Flights {
    private final Map<CacheKey, Flight> inFlight = new ConcurrentHashMap<>();
    private final MemoryTier memory;

    public Flights(MemoryTier memory) {
        this.memory = memory;
    }

    /**
     * Joins the flight of an identical read already on its way upstream ({@code onLanded} is then
     * called with its result), or else starts one that the caller leads and must {@link #land}.
     *
     * @return the flight to lead, or null when the caller joined one
     */
    public Flight joinOrLead(CacheKey key, Consumer<CachedResult> onLanded) {
        Flight flight = new Flight();
        while (true) {
            Flight existing = inFlight.putIfAbsent(key, flight);
            if (existing == null) {
                return flight;
            }
            if (existing.join(onLanded)) {
                return null;
            }
            // Landed, and its leader is about to take it out of the map.
            inFlight.remove(key, existing);
        }
    }

    /**
     * Starts a flight the caller leads and must {@link #land}, unless an identical read is already on
     * its way: then null, and the caller's read goes upstream without a flight.
     */
    public Flight leadIfFree(CacheKey key) {
        Flight flight = new Flight();
        return inFlight.putIfAbsent(key, flight) == null ? flight : null;
    }

    /**
     * Ends a flight with the result stored for its key, or null when there is none to share. A result
     * that a write has made stale since it was stored is not shared: a session may have joined the
     * flight after that write committed (the leader's thread paused between storing and landing).
     */
    public void land(CacheKey key, Flight flight, CachedResult stored) {
        inFlight.remove(key, flight);
        flight.land(stored != null && memory.holds(stored) ? stored : null);
    }
}

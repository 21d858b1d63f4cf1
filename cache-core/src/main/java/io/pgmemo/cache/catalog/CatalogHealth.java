package io.pgmemo.cache.catalog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each database's catalog can be read in its sessions. After a look-up fails there, the
 * database's reads are relayed uncached, at the cost of a plain relay (no look-up, no wait), until
 * {@link #RETRY_NANOS} have passed; then the next read tries again. Its entries are dropped when the
 * outage starts: while it lasts nothing of it is stored, and no write needs the catalog to reach them.
 * Says so once per outage (WARN), and in the stats line.
 */
public final class CatalogHealth {
    private static final Logger log = LoggerFactory.getLogger(CatalogHealth.class);

    public static final ReadVerdict UNAVAILABLE = ReadVerdict.catalogUnavailable("catalog unavailable");
    public static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Why the database's catalog could not be read, and since when. */
    private record Outage(long sinceNanos, String cause) {
    }

    private final Consumer<String> dropDatabase;
    private final Map<String, Outage> outages = new ConcurrentHashMap<>();
    private final LongAdder lookUps = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder relayedUncached = new LongAdder();
    private final LongAdder skipped = new LongAdder();

    public CatalogHealth(Consumer<String> dropDatabase) {
        this.dropDatabase = dropDatabase;
    }

    /** True while reads of the database are relayed without asking its catalog. */
    public boolean unavailable(String database) {
        Outage outage = database == null ? null : outages.get(database);
        return outage != null && System.nanoTime() - outage.sinceNanos() < RETRY_NANOS;
    }

    public void relayedUncached() {
        relayedUncached.increment();
    }

    /** A look-up ran in a transaction block whose snapshot may be old: its answers were not kept. */
    public void skipped() {
        skipped.increment();
    }

    /** A look-up ran in a session of the database. */
    public void succeeded(String database) {
        lookUps.increment();
        if (outages.remove(database) != null) {
            log.info("catalog look-ups in database \"{}\" work again; its reads are cached again", database);
        }
    }

    /**
     * A look-up failed in a session of the database ({@code cause}: the server's SQLSTATE and message,
     * which name no value of the client's).
     */
    public void failed(String database, String cause) {
        failures.increment();
        Outage before = outages.put(database, new Outage(System.nanoTime(), cause));
        dropDatabase.accept(database);
        if (before == null) {
            log.warn("catalog look-ups in database \"{}\" fail ({}); its reads are relayed uncached, tried again "
                    + "every {} s. pgmemo reads pg_catalog (pg_class, pg_namespace, pg_proc, pg_operator, "
                    + "pg_aggregate, pg_type, pg_depend, pg_rewrite, pg_policy, pg_inherits, pg_trigger, "
                    + "pg_constraint, pg_attrdef, pg_attribute) in the client's own session: every role may by "
                    + "default; restore SELECT on them to PUBLIC to cache again", database, cause,
                    TimeUnit.NANOSECONDS.toSeconds(RETRY_NANOS));
        }
    }

    @Override
    public String toString() {
        String state = outages.isEmpty() ? "readable" : "unavailable in " + outages.keySet();
        return state + ", look-ups=" + lookUps.sum() + ", failed=" + failures.sum() + ", skipped=" + skipped.sum()
                + ", relayedUncached=" + relayedUncached.sum();
    }
}

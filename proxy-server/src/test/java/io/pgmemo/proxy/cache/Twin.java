package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.QueryMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Two sessions in the same state: one through the caching proxy, one directly on the upstream, same
 * user and same setup statements. Every read through the proxy is compared with the direct one.
 */
final class Twin implements AutoCloseable {
    /** Misses after which a cacheable result must have been stored (the cache admits on the second). */
    static final int MAX_READS_TO_STORE = 3;

    private final CachingProxy proxy;
    private final String user;
    final Connection proxied;
    final Connection direct;

    private Twin(CachingProxy proxy, String user, Connection proxied, Connection direct) {
        this.proxy = proxy;
        this.user = user;
        this.proxied = proxied;
        this.direct = direct;
    }

    static Twin open(CachingProxy proxy, String user, String... setup) throws SQLException {
        return openWithPassword(proxy, user, null, setup);
    }

    static Twin openWithPassword(CachingProxy proxy, String user, String password, String... setup)
            throws SQLException {
        return open(proxy, QueryMode.SIMPLE, user, password, setup);
    }

    /** Sessions speaking the protocol of {@code mode}. */
    static Twin open(CachingProxy proxy, QueryMode mode, String user, String password, String... setup)
            throws SQLException {
        Connection proxied = CachingProxy.open(proxy.port(), mode, user, password, setup);
        try {
            return new Twin(proxy, user, proxied,
                    CachingProxy.open(PgEnvironment.get().upstreamPort(), mode, user, password, setup));
        } catch (SQLException e) {
            proxied.close();
            throw e;
        }
    }

    /** Superuser sessions on another database. */
    static Twin openDatabase(CachingProxy proxy, String database) throws SQLException {
        return openDatabase(proxy, database, PgEnvironment.SUPERUSER);
    }

    /** Sessions of {@code user} on another database. */
    static Twin openDatabase(CachingProxy proxy, String database, String user) throws SQLException {
        Connection proxied = CachingProxy.openDatabase(proxy.port(), database, user);
        try {
            return new Twin(proxy, user + "@" + database, proxied,
                    CachingProxy.openDatabase(PgEnvironment.get().upstreamPort(), database, user));
        } catch (SQLException e) {
            proxied.close();
            throw e;
        }
    }

    /** Runs the statements in both sessions (session state changes: SET, SET ROLE, temp tables...). */
    void both(String... statements) throws SQLException {
        for (String sql : statements) {
            try (Statement st = proxied.createStatement()) {
                st.execute(sql);
            }
            try (Statement st = direct.createStatement()) {
                st.execute(sql);
            }
        }
    }

    /** Runs statements through the proxy only (writes whose effect the direct session then sees). */
    void viaProxy(String... statements) throws SQLException {
        try (Statement st = proxied.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    Outcome proxiedRead(String sql) {
        return Outcome.of(proxied, sql);
    }

    Outcome directRead(String sql) {
        return Outcome.of(direct, sql);
    }

    /** Reads through the proxy, then directly; asserts both saw the same. Returns the counters of the proxied read. */
    Read read(String sql) {
        CacheStats.Snapshot before = proxy.stats();
        Outcome viaProxy = proxiedRead(sql);
        CachingProxy.Delta delta = proxy.since(before);
        Outcome viaDirect = directRead(sql);
        assertThat(viaProxy).as("%s as %s: through the proxy (left) vs direct (right)", sql, user)
                .isEqualTo(viaDirect);
        return new Read(viaProxy, delta);
    }

    /** A read through the proxy that must be answered from the cache, and equal the direct one. */
    Outcome hit(String sql) {
        Read read = read(sql);
        read.delta().assertHit(sql);
        return read.outcome();
    }

    /** A read that must not come from the cache, and equal the direct one. */
    Outcome noHit(String sql) {
        Read read = read(sql);
        read.delta().assertNoHit(sql);
        return read.outcome();
    }

    /**
     * Reads until the result is in the cache (whatever the admission policy: stored on the first or a
     * later miss), then once more as a hit; every read equals the direct one. Returns the hit's outcome.
     */
    Outcome cache(String sql) {
        for (int attempt = 0; attempt < MAX_READS_TO_STORE; attempt++) {
            Read read = read(sql);
            if (read.delta().hits() > 0) {
                return read.outcome();
            }
            if (read.delta().stores() > 0) {
                Outcome hit = hit(sql);
                assertThat(hit).isEqualTo(read.outcome());
                return hit;
            }
        }
        throw new AssertionError(sql + " was not stored after " + MAX_READS_TO_STORE + " misses");
    }

    record Read(Outcome outcome, CachingProxy.Delta delta) {
    }

    @Override
    public void close() throws SQLException {
        try {
            proxied.close();
        } finally {
            direct.close();
        }
    }
}

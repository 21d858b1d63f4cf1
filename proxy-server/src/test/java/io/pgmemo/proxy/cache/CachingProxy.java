package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import io.pgmemo.proxy.config.CacheOptions;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.QueryMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/** A private proxy with the result cache on, and its counters. */
final class CachingProxy implements AutoCloseable {
    static final Duration LONG_TTL = Duration.ofMinutes(10);

    private final PgEnvironment env = PgEnvironment.get();
    private final PgmemoServer server;

    private CachingProxy(PgmemoServer server) {
        this.server = server;
    }

    /** Memory only, entries kept for the whole test unless invalidated. */
    static CachingProxy memory() throws InterruptedException {
        return start(CacheConfig.defaults().withTtl(LONG_TTL), false);
    }

    static CachingProxy start(CacheConfig config, boolean persistent) throws InterruptedException {
        CacheOptions options = new CacheOptions(true, config, persistent);
        return new CachingProxy(PgEnvironment.get().startProxy(c -> c.withCache(options)));
    }

    PgmemoServer server() {
        return server;
    }

    int port() {
        return server.boundAddress().getPort();
    }

    CacheStats.Snapshot stats() {
        return server.queryCache().stats().snapshot();
    }

    /** A simple-protocol session through this proxy as {@code user}, after running {@code setup}. */
    Connection connect(String user, String... setup) throws SQLException {
        return open(port(), user, null, setup);
    }

    /** The same session state, directly on the upstream. */
    Connection direct(String user, String... setup) throws SQLException {
        return open(env.upstreamPort(), user, null, setup);
    }

    /** A simple-protocol session as {@code user} (password null for trust), after running {@code setup}. */
    static Connection open(int port, String user, String password, String... setup) throws SQLException {
        return open(port, QueryMode.SIMPLE, user, password, setup);
    }

    /** A session as {@code user} speaking the protocol of {@code mode}, after running {@code setup}. */
    static Connection open(int port, QueryMode mode, String user, String password, String... setup)
            throws SQLException {
        Properties properties = mode.properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        Connection connection = PgEnvironment.connect(port, properties);
        try (Statement st = connection.createStatement()) {
            for (String sql : setup) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** A simple-protocol superuser session on another database, through {@code port}. */
    static Connection openDatabase(int port, String database) throws SQLException {
        return openDatabase(port, database, PgEnvironment.SUPERUSER);
    }

    /** A simple-protocol session of {@code user} on another database, through {@code port}. */
    static Connection openDatabase(int port, String database, String user) throws SQLException {
        Properties mode = QueryMode.SIMPLE.properties();
        mode.setProperty("user", user);
        Properties properties = PgEnvironment.withDefaults(mode);
        return java.sql.DriverManager.getConnection(
                "jdbc:postgresql://" + PgEnvironment.HOST + ":" + port + "/" + database, properties);
    }

    /** Runs statements on a fresh direct superuser session (fixtures, and writes that bypass the proxy). */
    void admin(String... statements) throws SQLException {
        try (Connection c = PgEnvironment.connect(env.upstreamPort(), new Properties());
             Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** Counter changes since {@code before}. */
    Delta since(CacheStats.Snapshot before) {
        CacheStats.Snapshot now = stats();
        return new Delta(now.hits() - before.hits(), now.misses() - before.misses(),
                now.stores() - before.stores(), now.invalidations() - before.invalidations());
    }

    record Delta(long hits, long misses, long stores, long invalidations) {
        void assertHit(String what) {
            assertThat(hits).as("cache hits for %s (%s)", what, this).isEqualTo(1);
            assertThat(misses).as("cache misses for %s (%s)", what, this).isZero();
        }

        void assertNoHit(String what) {
            assertThat(hits).as("cache hits for %s (%s)", what, this).isZero();
        }

        void assertNothingStoredOrHit(String what) {
            assertThat(hits).as("cache hits for %s (%s)", what, this).isZero();
            assertThat(stores).as("cache stores for %s (%s)", what, this).isZero();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown(Duration.ofSeconds(2));
    }
}

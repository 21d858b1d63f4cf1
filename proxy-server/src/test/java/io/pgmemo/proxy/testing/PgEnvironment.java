package io.pgmemo.proxy.testing;

import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.server.PgmemoServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * One embedded PostgreSQL per test JVM (started lazily, shared by every class), set up as production
 * is: password_encryption scram-sha-256 and a pg_hba.conf that asks every TCP client for a SCRAM
 * password (md5 for {@link #MD5_USER}), plus one shared {@link PgmemoServer} relaying to it. Only
 * {@link #TRUST_USER} is trusted, for byte-level relay tests that pipeline queries behind the
 * StartupMessage. Closed by {@link ProxyExtension} when the whole run ends.
 */
public final class PgEnvironment implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final String DATABASE = "postgres";
    public static final String SUPERUSER = "postgres";
    public static final String MD5_USER = "md5_user";
    public static final String MD5_PASSWORD = "md5-secret";
    public static final String SCRAM_USER = "scram_user";
    public static final String SCRAM_PASSWORD = "scram-secret";
    /** A superuser logging in without a password: for tests of bytes sent behind the StartupMessage. */
    public static final String TRUST_USER = "trust_user";

    private static final String HBA = String.join("\n",
            "local all all trust",
            "host all " + MD5_USER + " 127.0.0.1/32 md5",
            "host all " + TRUST_USER + " 127.0.0.1/32 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256",
            "");

    private static PgEnvironment instance;

    private final EmbeddedPostgres postgres;
    private final PgmemoServer proxy;

    private PgEnvironment(EmbeddedPostgres postgres, PgmemoServer proxy) {
        this.postgres = postgres;
        this.proxy = proxy;
    }

    /** The environment of this JVM, started on first use. */
    public static synchronized PgEnvironment get() {
        if (instance == null) {
            try {
                instance = start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test PostgreSQL and proxy", e);
            }
        }
        return instance;
    }

    private static PgEnvironment start() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try {
            configure(postgres.getPort());
            PgmemoServer proxy = new PgmemoServer(
                    ProxyConfig.of(new HostPort(HOST, 0), new HostPort(HOST, postgres.getPort()))).start();
            return new PgEnvironment(postgres, proxy);
        } catch (Exception e) {
            postgres.close();
            throw e;
        }
    }

    private static void configure(int port) throws Exception {
        try (Connection admin = connect(port, new Properties()); Statement st = admin.createStatement()) {
            st.execute("ALTER SYSTEM SET password_encryption = 'scram-sha-256'");
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + passwordOf(SUPERUSER) + "'");
            st.execute("CREATE ROLE " + SCRAM_USER + " LOGIN PASSWORD '" + SCRAM_PASSWORD + "'");
            st.execute("CREATE ROLE " + TRUST_USER + " LOGIN SUPERUSER");
            st.execute("SET password_encryption = 'md5'");
            st.execute("CREATE ROLE " + MD5_USER + " LOGIN PASSWORD '" + MD5_PASSWORD + "'");
            replaceHba(st, HBA);
        }
        awaitPasswordsEnforced(port);
    }

    /** pg_reload_conf() only signals the postmaster: wait until a wrong password is refused. */
    private static void awaitPasswordsEnforced(int port) throws Exception {
        awaitRefusal(() -> connect(port, credentials(MD5_USER, "wrong")), "28P01");
    }

    /**
     * Writes {@code hba} over the server's pg_hba.conf and asks it to reload; see {@link #awaitRefusal}
     * for when that has taken effect.
     */
    /** The role's password verifier as pg_authid stores it ({@code SCRAM-SHA-256$...} or {@code md5...}). */
    public static String storedVerifier(Connection superuser, String role) throws SQLException {
        try (PreparedStatement st = superuser.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            st.setString(1, role);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public static void replaceHba(Statement superuser, String hba) throws Exception {
        String hbaFile;
        try (ResultSet rs = superuser.executeQuery("SHOW hba_file")) {
            rs.next();
            hbaFile = rs.getString(1);
        }
        Files.writeString(Path.of(hbaFile), hba);
        superuser.execute("SELECT pg_reload_conf()");
    }

    /** A way to log in, for {@link #awaitRefusal}. */
    @FunctionalInterface
    public interface Login {
        Connection connect() throws SQLException;
    }

    /**
     * Waits until {@code login} is refused with {@code sqlState}: a new pg_hba.conf is read only some
     * time after pg_reload_conf() returns.
     */
    public static void awaitRefusal(Login login, String sqlState) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Connection ignored = login.connect()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("pg_hba.conf reload did not take effect");
                }
                Thread.sleep(50);
            } catch (SQLException e) {
                if (sqlState.equals(e.getSQLState())) {
                    return;
                }
                throw e;
            }
        }
    }

    public int upstreamPort() {
        return postgres.getPort();
    }

    /** The shared proxy. Tests must not shut it down. */
    public PgmemoServer proxy() {
        return proxy;
    }

    public int proxyPort() {
        return proxy.boundAddress().getPort();
    }

    /** A proxy of its own for a test that needs special settings or shuts it down; the caller shuts it down. */
    public PgmemoServer startProxy(UnaryOperator<ProxyConfig> customize) throws InterruptedException {
        ProxyConfig config = ProxyConfig.of(new HostPort(HOST, 0), new HostPort(HOST, upstreamPort()));
        return new PgmemoServer(customize.apply(config)).start();
    }

    public Connection viaProxy() throws SQLException {
        return viaProxy(new Properties());
    }

    public Connection viaProxy(Properties properties) throws SQLException {
        return connect(proxyPort(), properties);
    }

    public Connection direct() throws SQLException {
        return direct(new Properties());
    }

    public Connection direct(Properties properties) throws SQLException {
        return connect(upstreamPort(), properties);
    }

    /**
     * Connects with {@code properties} (user defaults to postgres, password to {@link #passwordOf} the
     * user) plus generous hang guards.
     */
    public static Connection connect(int port, Properties properties) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(port), withDefaults(properties));
    }

    /** {@code properties} with the user, password and hang guards filled in where they are missing. */
    public static Properties withDefaults(Properties properties) {
        Properties all = new Properties();
        all.setProperty("user", SUPERUSER);
        all.setProperty("connectTimeout", "10");
        all.setProperty("socketTimeout", "120");
        all.putAll(properties);
        if (!all.containsKey("password")) {
            all.setProperty("password", passwordOf(all.getProperty("user")));
        }
        return all;
    }

    /**
     * The password of a test login: fixed for the roles made here; {@code <name>-secret} for roles
     * tests make (they must create them with it, {@code CREATE ROLE x LOGIN PASSWORD 'x-secret'}).
     */
    public static String passwordOf(String user) {
        return switch (user) {
            case MD5_USER -> MD5_PASSWORD;
            case SCRAM_USER -> SCRAM_PASSWORD;
            default -> user + "-secret";
        };
    }

    public static String jdbcUrl(int port) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    public static Properties credentials(String user, String password) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }

    /** Properties from alternating names and values. */
    public static Properties props(String... namesAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            properties.setProperty(namesAndValues[i], namesAndValues[i + 1]);
        }
        return properties;
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.shutdown(Duration.ofSeconds(2));
        } finally {
            postgres.close();
        }
    }
}

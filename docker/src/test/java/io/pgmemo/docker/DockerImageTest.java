package io.pgmemo.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * Builds the pgmemo image from {@code docker/Dockerfile} (build context: the repository root),
 * runs it in front of a {@code postgres:16} container on one Docker network, and checks through
 * pgjdbc that answers via pgmemo equal the direct answers and that a repeated read is answered by
 * pgmemo's cache (PostgreSQL's pg_stat_statements does not count it).
 *
 * <p>pgmemo runs as docker/sidecar.yaml and docker/compose.yaml run it: with nothing but its
 * upstream set, a read-only root filesystem, and writable mounts only at /tmp (DuckDB and Netty
 * unpack their native libraries there) and /var/cache/pgmemo (the cache file).
 *
 * <p>Skipped (not failed) where no Docker engine is reachable. The containers are started in
 * {@link #startContainers()} rather than through {@code @Container} fields so that the image build
 * (a Maven build inside Docker) and the start-up are bounded by a {@link Timeout}.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerImageTest {

    private static final String PASSWORD = "pgmemo-test-secret";
    private static final String DATABASE = "app";
    private static final int PG_PORT = 5432;
    private static final int PGMEMO_PORT = 6432;
    private static final String CACHE_FILE = "/var/cache/pgmemo/cache.duckdb";
    /** A read pgmemo may cache: a plain table, no functions. Created directly, not through pgmemo. */
    private static final String CACHED_READ = "SELECT id, label FROM docker_cache_probe ORDER BY id";

    private static Network network;
    private static GenericContainer<?> postgres;
    private static GenericContainer<?> pgmemo;

    @BeforeAll
    @Timeout(value = 25, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    static void startContainers() {
        network = Network.newNetwork();

        postgres = new GenericContainer<>(DockerImageName.parse("postgres:16"))
                .withNetwork(network)
                .withNetworkAliases("postgres")
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                .withEnv("POSTGRES_DB", DATABASE)
                .withExposedPorts(PG_PORT)
                // pg_stat_statements counts the statements PostgreSQL executes: a cache hit is not one.
                .withCommand("postgres", "-c", "shared_preload_libraries=pg_stat_statements")
                // The official image restarts the server once after initdb: wait for the second line.
                .waitingFor(Wait.forLogMessage("(?s).*database system is ready to accept connections.*", 2)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        postgres.start();

        pgmemo = new GenericContainer<>(pgmemoImage())
                .withNetwork(network)
                .withEnv("PGMEMO_UPSTREAM", "postgres:" + PG_PORT)
                .withEnv("PGMEMO_LOG_LEVEL", "info")
                // As in sidecar.yaml: read-only root; tmpfs mounts are mode 1777, so uid 10001 writes.
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .withTmpFs(Map.of(
                        "/tmp", "rw,exec,nosuid,nodev,mode=1777,size=256m",
                        "/var/cache/pgmemo", "rw,noexec,nosuid,nodev,mode=1777,size=256m"))
                .withExposedPorts(PGMEMO_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("pgmemo-container")))
                .waitingFor(Wait.forLogMessage("(?s).*pgmemo listening on.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        pgmemo.start();
        createCacheProbe();
    }

    private static void createCacheProbe() {
        try (Connection conn = direct(); Statement st = conn.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.execute("CREATE TABLE docker_cache_probe AS"
                    + " SELECT n AS id, 'label ' || n AS label FROM generate_series(1, 200) AS n");
            st.execute("ALTER TABLE docker_cache_probe ADD PRIMARY KEY (id)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the cache probe table directly on PostgreSQL", e);
        }
    }

    @AfterAll
    static void stopContainers() {
        if (pgmemo != null) {
            pgmemo.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    /** The image of docker/Dockerfile, with the repository root (minus target/ and .git) as context. */
    private static ImageFromDockerfile pgmemoImage() {
        Path root = repositoryRoot();
        // A fixed name, kept after the run, so Docker's layer cache makes the next build fast.
        ImageFromDockerfile image = new ImageFromDockerfile("localhost/pgmemo:testcontainers", false);
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> includedInContext(root.relativize(p)))
                    .forEach(p -> image.withFileFromPath(contextPath(root.relativize(p)), p));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the build context under " + root, e);
        }
        // The Engine API's default Dockerfile is "Dockerfile" at the context root.
        image.withFileFromPath("Dockerfile", root.resolve("docker/Dockerfile"));
        return image;
    }

    private static boolean includedInContext(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals(".git") || name.equals(".idea") || name.equals("node_modules")) {
                return false;
            }
        }
        String first = relative.getName(0).toString();
        if (relative.toString().replace('\\', '/').equals("bench/jmh/pom.xml")) {
            return true; // the reactor reads every module's pom (same as docker/Dockerfile.dockerignore)
        }
        // Not needed to build the jar (same as docker/Dockerfile.dockerignore).
        return !(first.equals("bench") || first.equals("e2e") || first.equals("docs") || first.equals("shared"));
    }

    private static String contextPath(Path relative) {
        return relative.toString().replace('\\', '/');
    }

    private static Path repositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        for (int i = 0; i < 6 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/Dockerfile")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root (with mvnw and docker/Dockerfile) not found above "
                + Paths.get("").toAbsolutePath());
    }

    private static Connection direct() throws SQLException {
        return connect(postgres.getHost(), postgres.getMappedPort(PG_PORT), PASSWORD);
    }

    private static Connection viaPgmemo() throws SQLException {
        return connect(pgmemo.getHost(), pgmemo.getMappedPort(PGMEMO_PORT), PASSWORD);
    }

    private static Connection connect(String host, int port, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "DockerImageTest");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + DATABASE, props);
    }

    private static List<List<String>> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int c = 1; c <= md.getColumnCount(); c++) {
                row.add(md.getColumnLabel(c) + "=" + rs.getString(c));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> query(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rows(rs);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void queryThroughPgmemoEqualsDirectAnswer() throws SQLException {
        String sql = "SELECT n, md5(n::text) AS h, n % 3 = 0 AS fizz, repeat('x', n % 50) AS pad,"
                + " current_database() AS db, current_setting('server_version') AS version"
                + " FROM generate_series(1, 500) AS n ORDER BY n";
        List<List<String>> expected;
        try (Connection conn = direct()) {
            expected = query(conn, sql);
        }
        try (Connection conn = viaPgmemo()) {
            assertThat(query(conn, sql)).hasSize(500).isEqualTo(expected);
        }
    }

    /** How often PostgreSQL itself has executed {@link #CACHED_READ}, through pgmemo or not. */
    private static long upstreamExecutions() throws SQLException {
        try (Connection conn = direct(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
                     + " WHERE query LIKE 'SELECT id, label FROM docker_cache_probe%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRepeatedReadIsServedFromTheCache() throws SQLException {
        List<List<String>> expected;
        try (Connection conn = direct()) {
            expected = query(conn, CACHED_READ);
        }
        assertThat(expected).hasSize(200);
        long before = upstreamExecutions();
        try (Connection conn = viaPgmemo()) {
            // The first read is a miss that pgmemo stores; a second one may still race its store.
            for (int i = 0; i < 2; i++) {
                assertThat(query(conn, CACHED_READ)).isEqualTo(expected);
            }
        }
        long warmed = upstreamExecutions();
        assertThat(warmed).as("the first read through pgmemo reaches PostgreSQL").isGreaterThan(before);

        for (int session = 0; session < 3; session++) { // new sessions too: the cache is not per connection
            try (Connection conn = viaPgmemo()) {
                assertThat(query(conn, CACHED_READ)).isEqualTo(expected);
                assertThat(query(conn, CACHED_READ)).isEqualTo(expected);
            }
        }
        assertThat(upstreamExecutions()).as("repeated reads answered by pgmemo's cache, not by PostgreSQL")
                .isEqualTo(warmed);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theImageHoldsTheLeanJarAndWritesOnlyItsMounts() throws Exception {
        ExecResult jar = pgmemo.execInContainer("stat", "-c", "%s", "/app/pgmemo.jar");
        assertThat(Long.parseLong(jar.getStdout().trim())).as("pgmemo.jar bytes").isLessThan(40_000_000L);
        assertThat(pgmemo.execInContainer("ls", "/app").getStdout().trim()).isEqualTo("pgmemo.jar");

        assertThat(pgmemo.execInContainer("test", "-f", CACHE_FILE).getExitCode())
                .as("the cache file on its writable mount").isZero();
        assertThat(pgmemo.execInContainer("touch", "/app/probe").getExitCode())
                .as("the root filesystem is read-only").isNotZero();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void preparedStatementsAndWritesGoThroughPgmemo() throws SQLException {
        try (Connection conn = viaPgmemo()) {
            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS docker_it");
                st.execute("CREATE TABLE docker_it (id int PRIMARY KEY, name text)");
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO docker_it VALUES (?, ?)")) {
                for (int i = 1; i <= 20; i++) { // past pgjdbc's prepareThreshold: named server-side statements too
                    ps.setInt(1, i);
                    ps.setString(2, "row " + i);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT count(*), max(name) FROM docker_it WHERE id <= ?")) {
                ps.setInt(1, 10);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rows(rs)).containsExactly(List.of("count=10", "max=row 9"));
                }
            }
        }
        try (Connection conn = direct()) {
            assertThat(query(conn, "SELECT count(*) AS n FROM docker_it")).containsExactly(List.of("n=20"));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void errorsAndAuthenticationFailuresAreRelayed() throws SQLException {
        try (Connection conn = viaPgmemo(); Statement st = conn.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT 1/0"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22012"));
            assertThat(query(conn, "SELECT 'still usable' AS s")).containsExactly(List.of("s=still usable"));
        }
        assertThatThrownBy(() -> connect(pgmemo.getHost(), pgmemo.getMappedPort(PGMEMO_PORT), "wrong-password").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void imageRunsAsNonRootAndPingAnswers() throws Exception {
        ExecResult uid = pgmemo.execInContainer("id", "-u");
        assertThat(uid.getStdout().trim()).isEqualTo("10001");

        ExecResult ping = pgmemo.execInContainer("java", "-jar", "/app/pgmemo.jar", "ping", "--target", "127.0.0.1:6432");
        assertThat(ping.getExitCode()).as("ping stdout=%s stderr=%s", ping.getStdout(), ping.getStderr()).isZero();

        ExecResult pingNothing = pgmemo.execInContainer("java", "-jar", "/app/pgmemo.jar", "ping", "--target", "127.0.0.1:1");
        assertThat(pingNothing.getExitCode()).isEqualTo(1);
    }
}

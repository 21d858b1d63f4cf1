package io.pgmemo.cache.tier;

import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second process for {@link DuckDbFileSafetyTest}.
 *
 * <ul>
 *   <li>{@code hold RAW TIER}: opens RAW with plain JDBC (as a foreign DuckDB user would) and TIER as a
 *       pgmemo tier, prints "ready", and holds both until its standard input closes.</li>
 *   <li>{@code write TIER}: stores entries 0, 1, 2, ... and prints "committed N" after each commit,
 *       until killed.</li>
 * </ul>
 */
public final class DuckDbChild {
    static final int SIZE = 20_000;
    static final long HOUR = 3_600_000;
    /** Entries per commit: about 1 MB, so that a kill often lands inside a transaction. */
    static final int BATCH = 50;

    private DuckDbChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("hold")) {
            hold(Path.of(args[1]), Path.of(args[2]));
        } else {
            write(Path.of(args[1]));
        }
    }

    static CacheConfig config(Path file) {
        return CacheConfig.defaults().withFile(file).withMemoryBytes(64 << 20).withMaxEntryBytes(1 << 20);
    }

    private static void hold(Path raw, Path tierFile) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + raw);
                DuckDbSnapshot tier = DuckDbSnapshot.open(config(tierFile), new CacheStats())) {
            connection.createStatement().execute("CREATE TABLE IF NOT EXISTS t (i INTEGER)");
            System.out.println(tier.isDegraded() ? "degraded" : "ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
        }
    }

    private static void write(Path file) {
        DuckDbSnapshot tier = DuckDbSnapshot.open(config(file), new CacheStats());
        long now = System.currentTimeMillis();
        for (int i = 0; ; i++) {
            tier.put(TestEntries.entry(i, SIZE, now + i, now + HOUR));
            if (i % BATCH == BATCH - 1) {
                tier.flushNow().join();
                System.out.println("committed " + (i + 1));
                System.out.flush();
            }
        }
    }

    /** Starts a child JVM on the test class path. */
    static Process start(String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=none.xml",
                "-cp", classPath, DuckDbChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the child's output until a line starting with the prefix; returns it. */
    static String awaitLine(Process child, BufferedReader out, String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("child exited (" + exitCode(child) + ") before printing " + prefix);
    }

    static BufferedReader output(Process child) {
        return new BufferedReader(new InputStreamReader(child.getInputStream()));
    }

    private static String exitCode(Process child) {
        try {
            return child.waitFor(5, TimeUnit.SECONDS) ? "exit " + child.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

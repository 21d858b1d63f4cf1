package io.pgmemo.cache.tier;

import static io.pgmemo.cache.tier.TestEntries.entry;
import static io.pgmemo.cache.tier.TestEntries.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgmemo.cache.CacheConfig;
import io.pgmemo.cache.stats.CacheStats;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Ownership of the file, broken files, and abrupt stops. */
class DuckDbFileSafetyTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private final CacheStats stats = new CacheStats();
    private final long now = System.currentTimeMillis();

    private static CacheConfig config(Path file) {
        return DuckDbChild.config(file);
    }

    @Test
    void aSecondInstanceInTheSameJvmFailsClearly() {
        Path file = dir.resolve("cache.duckdb");
        try (DuckDbSnapshot first = DuckDbSnapshot.open(config(file), stats)) {
            assertThat(first.isDegraded()).isFalse();
            assertThatThrownBy(() -> DuckDbSnapshot.open(config(file), stats))
                    .isInstanceOf(CacheFileLockedException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("in use by another process");
        }
        try (DuckDbSnapshot again = DuckDbSnapshot.open(config(file), stats)) {
            assertThat(again.isDegraded()).isFalse();
        }
    }

    @Test
    void aFileHeldByAnotherProcessFailsClearly() throws Exception {
        Path raw = dir.resolve("raw.duckdb");
        Path owned = dir.resolve("owned.duckdb");
        Process child = DuckDbChild.start("hold", raw.toString(), owned.toString());
        try {
            DuckDbChild.awaitLine(child, DuckDbChild.output(child), "ready");

            assertThatThrownBy(() -> DuckDbSnapshot.open(config(owned), stats))
                    .as("held by another pgmemo").isInstanceOf(CacheFileLockedException.class);
            assertThatThrownBy(() -> DuckDbSnapshot.open(config(raw), stats))
                    .as("held by another DuckDB user").isInstanceOf(CacheFileLockedException.class)
                    .hasMessageContaining(raw.toString())
                    .satisfies(e -> assertThat(e.getCause()).hasMessageContaining("Could not set lock"));
            assertThat(brokenFiles("raw.duckdb")).as("a locked file is not set aside").isEmpty();
        } finally {
            child.getOutputStream().close();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (DuckDbSnapshot tier = DuckDbSnapshot.open(config(owned), stats)) {
            assertThat(tier.isDegraded()).isFalse();
        }
    }

    @Test
    void aGarbageFileIsSetAsideAndRecreated() throws Exception {
        Path file = dir.resolve("cache.duckdb");
        byte[] garbage = new byte[100_000];
        new Random(7).nextBytes(garbage);
        Files.write(file, garbage);
        ListAppender<ILoggingEvent> log = capture(DuckDbFile.class);

        try (DuckDbSnapshot tier = DuckDbSnapshot.open(config(file), stats)) {
            assertThat(tier.isDegraded()).isFalse();
            tier.put(entry(1, 1000, now, now + HOUR));
            assertThat(tier.get(key(1), now).join()).isPresent();
        }

        List<Path> aside = brokenFiles("cache.duckdb");
        assertThat(aside).hasSize(1);
        assertThat(Files.readAllBytes(aside.get(0))).isEqualTo(garbage);
        assertThat(log.list).anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("set"));
    }

    @Test
    void anUnusablePathDegradesToMemoryOnly() throws Exception {
        Path notADirectory = Files.createFile(dir.resolve("plain-file"));
        ListAppender<ILoggingEvent> log = capture(DuckDbSnapshot.class);

        try (DuckDbSnapshot tier = DuckDbSnapshot.open(config(notADirectory.resolve("cache.duckdb")), stats)) {
            tier.put(entry(1, 1000, now, now + HOUR));
            tier.invalidateTable("app", 1);

            assertThat(tier.isDegraded()).isTrue();
            assertThat(tier.get(key(1), now).join()).isEmpty();
            assertThat(tier.loadUnexpired(Long.MAX_VALUE, now).join()).isEmpty();
        }
        assertThat(log.list).anyMatch(e -> e.getLevel() == Level.WARN);
    }

    @Test
    void aKilledWriterLeavesOnlyIntactEntries() throws Exception {
        Path file = dir.resolve("cache.duckdb");
        Process child = DuckDbChild.start("write", file.toString());
        int committed;
        try {
            BufferedReader out = DuckDbChild.output(child);
            String line;
            do {
                line = DuckDbChild.awaitLine(child, out, "committed ");
                committed = Integer.parseInt(line.substring("committed ".length()));
            } while (committed < 200);
            Thread.sleep(new Random().nextInt(40)); // somewhere in the next batch
        } finally {
            child.destroyForcibly(); // SIGKILL: no close, no checkpoint, possibly mid-transaction
            child.waitFor(30, TimeUnit.SECONDS);
        }

        try (DuckDbSnapshot tier = DuckDbSnapshot.open(config(file), stats)) {
            List<CachedResult> loaded = tier.loadUnexpired(Long.MAX_VALUE, System.currentTimeMillis()).join();

            assertThat(loaded.size()).isGreaterThanOrEqualTo(committed);
            for (CachedResult e : loaded) {
                int i = TestEntries.indexOf(e);
                assertThat(e.key()).isEqualTo(key(i));
                assertThat(e.response()).isEqualTo(TestEntries.response(i, DuckDbChild.SIZE));
            }
            assertThat(tier.get(key(0), System.currentTimeMillis()).join()).isPresent();
            assertThat(stats.snapshot().checksumFailures()).isZero();
        }
    }

    private List<Path> brokenFiles(String name) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(name + ".broken-")).toList();
        }
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> source) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(source)).addAppender(appender);
        return appender;
    }
}

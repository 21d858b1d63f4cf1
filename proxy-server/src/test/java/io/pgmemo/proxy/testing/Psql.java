package io.pgmemo.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the installed psql (libpq) once, for tests that must show what a libpq client sees. */
public final class Psql {
    public static final Path PSQL = Path.of("/usr/bin/psql");

    /** What one psql run printed, and how it exited. */
    public record Result(int exitCode, String out, String err) {
    }

    private Psql() {
    }

    public static boolean available() {
        return Files.isExecutable(PSQL);
    }

    /**
     * {@code psql -X -A -t "conninfo" -c command...}, with these environment variables; PGPASSWORD is
     * the superuser's test password unless they set it.
     */
    public static Result run(String conninfo, Map<String, String> environment, String... commands)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PSQL.toString(), "-X", "-A", "-t", "-d", conninfo));
        for (String sql : commands) {
            command.add("-c");
            command.add(sql);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        builder.environment().put("PGPASSWORD", PgEnvironment.passwordOf(PgEnvironment.SUPERUSER));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("psql did not finish within 60 s: " + command);
        }
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}

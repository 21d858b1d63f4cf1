package io.pgmemo.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pgmemo demo} without pgmemo-demo.jar (this module's class path has no demo module). */
class DemoCommandTest {

    @Test
    void aMissingDemoJarIsNamedWithHowToBuildIt(@TempDir Path dir) {
        Path missing = dir.resolve("pgmemo-demo.jar");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new PgmemoCommand()).setErr(new PrintWriter(err, true));

        int exit = cli.execute("demo", "--demo-jar", missing.toString(), "--listen", "127.0.0.1:0");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .contains("there is none at " + missing.toAbsolutePath())
                .contains("./mvnw -B -DskipTests package")
                .contains("PGMEMO_DEMO_JAR");
    }
}

package io.pgmemo.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.TestCertificates;
import io.pgmemo.proxy.testing.TestCertificates.ServerFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TLS setting or auth file that cannot be used stops pgmemo at start with exit code 1 and one
 * line that names the file or option: no stack trace, nothing started.
 */
class UnusableFilesTest {
    @TempDir
    static Path dir;
    private static ServerFiles good;
    private static Path garbage;

    @BeforeAll
    static void files() throws Exception {
        good = TestCertificates.writeServer(dir, "good", TestCertificates.localServer(TestCertificates.ca("cli CA")));
        garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nnot a key\n");
    }

    static Stream<Arguments> unusableSettings() {
        Path missing = dir.resolve("missing.key");
        return Stream.of(
                Arguments.of("key file missing", List.of("--tls-cert", good.certificate().toString(), "--tls-key",
                        missing.toString()), "cannot read TLS key file " + missing + ": no such file"),
                Arguments.of("key file not a key", List.of("--tls-cert", good.certificate().toString(), "--tls-key",
                        garbage.toString()), "cannot use TLS key file " + garbage),
                Arguments.of("certificate file not a certificate", List.of("--tls-cert", garbage.toString(),
                        "--tls-key", good.key().toString()),
                        "TLS certificate file " + garbage + " holds no PEM certificate"),
                Arguments.of("key without certificate", List.of("--tls-key", good.key().toString()),
                        "--tls-cert and --tls-key must be given together"),
                Arguments.of("require without certificate", List.of("--client-tls", "require"),
                        "--client-tls require needs a certificate and key"),
                Arguments.of("unknown client mode", List.of("--client-tls", "maybe"),
                        "client TLS mode must be disable, allow or require, not 'maybe'"),
                Arguments.of("unknown upstream mode", List.of("--upstream-tls", "verify"),
                        "upstream TLS mode must be disable, prefer, require, verify-ca or verify-full"),
                Arguments.of("CA file missing", List.of("--upstream-tls", "verify-full", "--upstream-tls-ca",
                        missing.toString()), "cannot read TLS CA file " + missing),
                Arguments.of("CA file holds a key", List.of("--upstream-tls", "verify-full", "--upstream-tls-ca",
                        good.key().toString()), "TLS CA file " + good.key() + " holds no PEM certificate"),
                Arguments.of("auth file missing", List.of("--auth-file", missing.toString()),
                        "cannot read the auth file " + missing),
                Arguments.of("auth file line unusable", List.of("--auth-file", garbage.toString()),
                        "auth file " + garbage + " line 1: expected \"user\" \"secret\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableSettings")
    void stopsWithOneLineNamingTheSetting(String name, List<String> options, String expected) {
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--no-cache"));
        args.addAll(options);

        int exitCode = PgmemoCommand.commandLine().setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).startsWith("pgmemo: " + expected).doesNotContain("Exception", "\tat ")
                .hasLineCount(1);
    }
}

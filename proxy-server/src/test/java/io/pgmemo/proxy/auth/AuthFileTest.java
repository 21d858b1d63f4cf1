package io.pgmemo.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgmemo.protocol.scram.ScramSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PgBouncer's auth_file format as pgmemo reads it, and the one-line errors for what it cannot use. */
class AuthFileTest {
    @TempDir
    Path dir;

    @Test
    void readsVerifiersPasswordsQuotesAndComments() throws Exception {
        String verifier = ScramSecret.withRandomSalt("pw").encode();
        AuthFile file = load("; PgBouncer-style comment\n# another\n\n"
                + "\"app\" \"" + verifier + "\"\n"
                + "  \"o\"\"brien\"   \"pass \"\"word\"\"\"  \n");

        assertThat(file.users()).isEqualTo(2);
        assertThat(file.secretOf("app").verifier()).isEqualTo(ScramSecret.parse(verifier));
        assertThat(file.secretOf("app").holdsPassword()).isFalse();
        assertThat(file.secretOf("o\"brien").holdsPassword()).isTrue();
        assertThat(file.secretOf("o\"brien").cleartext()).isEqualTo("pass \"word\"");
        assertThat(file.secretOf("nobody")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "app secret                                    | line 2: expected \"user\" \"secret\"",
        "\"app\"                                       | line 2: expected \"user\" \"secret\"",
        "\"app\" \"secret                              | line 2: unterminated quoted field",
        "\"app\" \"\"                                  | line 2: the secret is empty",
        "\"app\" \"md5f1c4d7b5a2bd3c8f6b8f3f5b6e2e0e7a\" | line 2: md5 hashes are not supported",
        "\"app\" \"SCRAM-SHA-256$4096:abc\"            | line 2: not a SCRAM-SHA-256 secret"})
    void anUnusableLineIsNamedWithItsNumber(String line, String message) throws Exception {
        Path path = write("\"ok\" \"pw\"\n" + line.strip() + "\n");

        IllegalArgumentException refused = catchThrowableOfType(IllegalArgumentException.class,
                () -> AuthFile.load(path));

        assertThat(refused.getMessage()).startsWith("auth file " + path + " ").contains(message);
        assertThat(refused.getMessage()).as("no secret is echoed").doesNotContain("f1c4d7b5", "abc");
    }

    @Test
    void anUnreadableFileIsNamed() {
        Path missing = dir.resolve("missing.txt");

        IllegalArgumentException refused = catchThrowableOfType(IllegalArgumentException.class,
                () -> AuthFile.load(missing));

        assertThat(refused.getMessage()).startsWith("cannot read the auth file " + missing);
    }

    private AuthFile load(String text) throws Exception {
        return AuthFile.load(write(text));
    }

    private Path write(String text) throws Exception {
        Path path = Files.createTempFile(dir, "userlist", ".txt");
        Files.writeString(path, text);
        return path;
    }
}

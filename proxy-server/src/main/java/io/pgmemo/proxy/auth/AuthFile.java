package io.pgmemo.proxy.auth;

import io.pgmemo.protocol.scram.ScramSecret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The users pgmemo authenticates itself, in PgBouncer's auth_file format: one {@code "user" "secret"}
 * per line, a double quote inside a field doubled, lines starting with ';' or '#' ignored. The secret
 * is a SCRAM verifier as pg_authid stores it ({@code SCRAM-SHA-256$4096:...}) or the password
 * itself. md5 hashes are refused: they can neither check a SCRAM client nor log in by SCRAM.
 * Users not in the file are not authenticated by pgmemo: their login is relayed to the upstream.
 */
public final class AuthFile {
    public static final AuthFile NONE = new AuthFile(Map.of());

    private final Map<String, LoginSecret> secrets;

    private AuthFile(Map<String, LoginSecret> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    /** Reads the file once; IllegalArgumentException names the file and line of what cannot be used. */
    public static AuthFile load(Path file) {
        if (file == null) {
            return NONE;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the auth file " + file + ": " + e.getMessage());
        }
        Map<String, LoginSecret> secrets = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            String where = "auth file " + file + " line " + (i + 1);
            List<String> fields = QuotedFields.parse(line, where);
            secrets.put(fields.get(0), secretOf(fields.get(1), where));
        }
        return new AuthFile(secrets);
    }

    private static LoginSecret secretOf(String text, String where) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(where + ": the secret is empty");
        }
        if (text.matches("md5[0-9a-f]{32}")) {
            throw new IllegalArgumentException(where + ": md5 hashes are not supported; give the role's "
                    + "SCRAM-SHA-256 verifier or its password");
        }
        if (!ScramSecret.looksLikeSecret(text)) {
            return LoginSecret.ofPassword(text);
        }
        try {
            return LoginSecret.ofVerifier(ScramSecret.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    /** The secret pgmemo checks this user with, or null when the user's login is relayed. */
    public LoginSecret secretOf(String user) {
        return secrets.get(user);
    }

    public int users() {
        return secrets.size();
    }

    @Override
    public String toString() {
        return "AuthFile[" + secrets.size() + " users]";
    }
}

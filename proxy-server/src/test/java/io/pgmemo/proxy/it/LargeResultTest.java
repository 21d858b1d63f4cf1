package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** 200,000 rows of ~100 bytes (~20 MB) arrive byte-for-byte as directly. */
@ProxyTest
class LargeResultTest {
    private static final int ROWS = 200_000;
    private static final String SQL = "SELECT i, md5(i::text) AS h, repeat(chr(65 + i % 26), 40 + i % 20) AS pad,"
            + " i * 0.5 AS half FROM generate_series(1, " + ROWS + ") AS i";

    private final PgEnvironment env = PgEnvironment.get();

    static Stream<Arguments> settings() {
        return Stream.of(
                arguments(named("simple, whole result", QueryMode.SIMPLE.properties())),
                arguments(named("extended binary, fetch size 5000", QueryMode.EXTENDED_BINARY.properties())));
    }

    @ParameterizedTest
    @MethodSource("settings")
    void hashOfAllRowsIsTheSame(Properties settings) throws Exception {
        Digest viaProxy = digest(env.viaProxy(settings));
        Digest direct = digest(env.direct(settings));

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(direct.rows()).isEqualTo(ROWS);
        assertThat(direct.bytes()).isGreaterThan(ROWS * 90L);
    }

    private record Digest(long rows, long bytes, String sha256) {
    }

    private static Digest digest(Connection connection) throws Exception {
        try (connection) {
            connection.setAutoCommit(false);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long rows = 0;
            long bytes = 0;
            try (Statement st = connection.createStatement()) {
                st.setFetchSize(5000);
                try (ResultSet rs = st.executeQuery(SQL)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= columns; i++) {
                            byte[] value = rs.getString(i).getBytes(StandardCharsets.UTF_8);
                            bytes += value.length;
                            sha.update(value);
                            sha.update((byte) 0);
                        }
                    }
                }
            }
            connection.commit();
            return new Digest(rows, bytes, HexFormat.of().formatHex(sha.digest()));
        }
    }
}

package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** COPY FROM STDIN and COPY TO STDOUT through pgjdbc's CopyManager move the same data as directly. */
@ProxyTest
class CopyTest {
    private static final String TABLE = "CREATE TEMP TABLE copy_t (id int, name text, amount numeric, at timestamptz,"
            + " tags text[], blob bytea)";

    private final PgEnvironment env = PgEnvironment.get();

    /** Text-format input with escapes, NULLs, unicode and tabs inside values. */
    private static String textInput(int rows) {
        StringBuilder data = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            data.append(i).append('\t')
                    .append(i % 11 == 0 ? "\\N" : "név " + i + " tab\\there\\\\back").append('\t')
                    .append(i % 13 == 0 ? "\\N" : (i * 7) + "." + (i % 100)).append('\t')
                    .append("2024-01-01 00:00:00+00").append('\t')
                    .append("{a,\"b c\",NULL}").append('\t')
                    .append("\\\\x").append(Integer.toHexString(0x100 + i % 256).substring(1)).append("ff")
                    .append('\n');
        }
        return data.toString();
    }

    static Stream<Arguments> copyFormats() {
        return Stream.of(
                arguments(named("text", "")),
                arguments(named("csv with header", "(FORMAT csv, HEADER true)")),
                arguments(named("binary", "(FORMAT binary)")));
    }

    @ParameterizedTest
    @MethodSource("copyFormats")
    void copyInFromReaderThenCopyOutToWriter(String outFormat) throws Exception {
        String input = textInput(20_000);

        List<Object> direct = copyRoundTrip(env.direct(), input, outFormat);
        List<Object> proxied = copyRoundTrip(env.viaProxy(), input, outFormat);

        assertThat(proxied).isEqualTo(direct);
        assertThat(direct.get(0)).isEqualTo(20_000L);
    }

    private static List<Object> copyRoundTrip(Connection connection, String input, String outFormat) throws Exception {
        try (connection; Statement st = connection.createStatement()) {
            st.execute(TABLE);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            List<Object> outcome = new ArrayList<>();
            outcome.add(copy.copyIn("COPY copy_t FROM STDIN", new StringReader(input)));
            if (outFormat.contains("binary")) {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                outcome.add(copy.copyOut("COPY copy_t TO STDOUT " + outFormat, bytes));
                outcome.add(java.util.HexFormat.of().formatHex(bytes.toByteArray()));
            } else {
                StringWriter text = new StringWriter();
                outcome.add(copy.copyOut("COPY copy_t TO STDOUT " + outFormat, text));
                outcome.add(text.toString());
            }
            outcome.add(Rows.query(connection, "SELECT count(*), sum(amount), count(name), md5(string_agg(name, ','"
                    + " ORDER BY id)) FROM copy_t"));
            return outcome;
        }
    }

    @Test
    void copyOutOfAQueryLargerThanTheSocketBuffers() throws Exception {
        String sql = "COPY (SELECT i, md5(i::text), repeat('z', i % 200) FROM generate_series(1, 100000) AS i)"
                + " TO STDOUT (FORMAT csv)";
        assertThat(copyOut(env.viaProxy(), sql)).isEqualTo(copyOut(env.direct(), sql));
    }

    private static String copyOut(Connection connection, String sql) throws Exception {
        try (connection) {
            StringWriter out = new StringWriter();
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
            return out.toString();
        }
    }

    /** Bad input fails the COPY with the server's SQLSTATE and leaves the session usable. */
    @Test
    void malformedCopyInputFailsAsDirectlyAndTheSessionGoesOn() throws Exception {
        String input = textInput(500) + "not-a-number\tx\t1\t2024-01-01\t{}\t\\\\x00\n" + textInput(10);

        assertThat(failedCopy(env.viaProxy(), input)).isEqualTo(failedCopy(env.direct(), input));
    }

    private static List<Object> failedCopy(Connection connection, String input) throws Exception {
        try (connection; Statement st = connection.createStatement()) {
            st.execute(TABLE);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            String state = SqlCall.sqlStateOf(() -> copy.copyIn("COPY copy_t FROM STDIN", new StringReader(input)));
            assertThat(state).isEqualTo("22P02");
            return List.of(state, Rows.query(connection, "SELECT count(*) FROM copy_t"),
                    Rows.query(connection, "SELECT 'still usable' AS status"));
        }
    }
}

package io.pgmemo.proxy.it;

import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pgjdbc's protocol features — named statements, binary results, portal suspension, batches,
 * multi-statement queries, errors inside transactions — give what a direct connection gives.
 */
@ProxyTest
class ExtendedProtocolTest {
    private final PgEnvironment env = PgEnvironment.get();

    /** Runs the same session script through the proxy and directly. */
    @FunctionalInterface
    private interface Script {
        List<Object> run(Connection connection) throws Exception;
    }

    private List<Object> proxied(Properties properties, Script script) throws Exception {
        try (Connection connection = env.viaProxy(properties)) {
            return script.run(connection);
        }
    }

    private List<Object> direct(Properties properties, Script script) throws Exception {
        try (Connection connection = env.direct(properties)) {
            return script.run(connection);
        }
    }

    /** Executions 1-4 use the unnamed statement and text results; from the 5th a named one and binary results. */
    @Test
    void statementExecutedPastPrepareThresholdBecomesNamedAndBinary() throws Exception {
        Script script = connection -> {
            List<Object> outcome = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT ? + i AS n, md5(i::text) AS h, now() - now() AS zero, ARRAY[i, ?] AS a"
                            + " FROM generate_series(1, 20) AS i")) {
                for (int execution = 1; execution <= 9; execution++) {
                    ps.setInt(1, execution * 100);
                    ps.setInt(2, -execution);
                    try (ResultSet rs = ps.executeQuery()) {
                        outcome.add(Rows.of(rs));
                    }
                }
                outcome.add(Rows.query(connection, "SELECT name, statement, parameter_types::text,"
                        + " from_sql FROM pg_prepared_statements ORDER BY name"));
            }
            return outcome;
        };

        List<Object> direct = direct(props("prepareThreshold", "5", "binaryTransfer", "true"), script);
        List<Object> proxied = proxied(props("prepareThreshold", "5", "binaryTransfer", "true"), script);

        assertThat(proxied).isEqualTo(direct);
        Rows named = (Rows) direct.get(direct.size() - 1);
        assertThat(named.size()).as("named server statements seen directly").isEqualTo(1);
        assertThat(((Rows) direct.get(8)).bytes()).as("binary results differ from the text ones")
                .isNotEqualTo(((Rows) direct.get(0)).bytes());
    }

    /** autocommit off + fetch size: Execute with a row limit, PortalSuspended, Execute again. */
    @Test
    void fetchSizeSuspendsThePortalAndResumesIt() throws Exception {
        Script script = connection -> {
            connection.setAutoCommit(false);
            List<Object> outcome = new ArrayList<>();
            try (Statement st = connection.createStatement()) {
                st.setFetchSize(10);
                try (ResultSet rs = st.executeQuery("SELECT i, md5(i::text) AS h, repeat('r', i % 50) AS pad"
                        + " FROM generate_series(1, 1000) AS i")) {
                    List<String> firstRows = new ArrayList<>();
                    for (int i = 0; i < 15 && rs.next(); i++) {
                        firstRows.add(rs.getString(1) + "," + rs.getString(2));
                    }
                    outcome.add(firstRows);
                    // The portal is still open, suspended, while another statement runs in between.
                    outcome.add(Rows.query(connection, "SELECT name, is_holdable, is_binary, is_scrollable"
                            + " FROM pg_cursors WHERE name <> '' ORDER BY name"));
                    outcome.add(Rows.of(rs));
                }
            }
            connection.commit();
            return outcome;
        };

        List<Object> direct = direct(new Properties(), script);
        List<Object> proxied = proxied(new Properties(), script);

        assertThat(proxied).isEqualTo(direct);
        assertThat(((Rows) direct.get(1)).size()).as("open portals seen directly").isEqualTo(1);
        assertThat(((Rows) proxied.get(2)).size()).isEqualTo(1000 - 15);
    }

    static Stream<Arguments> batchSettings() {
        return Stream.of(
                arguments(named("extended", props())),
                arguments(named("reWriteBatchedInserts", props("reWriteBatchedInserts", "true"))),
                arguments(named("simple", QueryMode.SIMPLE.properties())));
    }

    @ParameterizedTest
    @MethodSource("batchSettings")
    void batchInsertsGiveTheSameCountsAndRows(Properties settings) throws Exception {
        Script script = connection -> {
            List<Object> outcome = new ArrayList<>();
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TEMP TABLE batch_t (id int PRIMARY KEY, name text, amount numeric(12,2))");
            }
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO batch_t VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 300; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, i % 7 == 0 ? null : "name-" + i);
                    ps.setBigDecimal(3, java.math.BigDecimal.valueOf(i * 1234L, 2));
                    ps.addBatch();
                }
                outcome.add(Arrays.toString(ps.executeBatch()));
                // A second batch that fails on its third row (duplicate key).
                for (int id : new int[] {1001, 1002, 5, 1003}) {
                    ps.setInt(1, id);
                    ps.setString(2, "again");
                    ps.setBigDecimal(3, java.math.BigDecimal.ONE);
                    ps.addBatch();
                }
                try {
                    ps.executeBatch();
                    outcome.add("no error");
                } catch (BatchUpdateException e) {
                    outcome.add(e.getSQLState());
                }
            }
            outcome.add(Rows.query(connection, "SELECT * FROM batch_t ORDER BY id"));
            return outcome;
        };

        List<Object> direct = direct(settings, script);
        List<Object> proxied = proxied(settings, script);

        assertThat(proxied).isEqualTo(direct);
        assertThat(direct.get(1)).isEqualTo("23505");
    }

    @ParameterizedTest
    @EnumSource(value = QueryMode.class, names = {"SIMPLE", "EXTENDED"})
    void multiStatementQueryGivesTheSameResultSequence(QueryMode mode) throws Exception {
        Script script = connection -> {
            List<Object> outcome = new ArrayList<>();
            try (Statement st = connection.createStatement()) {
                boolean isResult = st.execute("CREATE TEMP TABLE multi_t (x int, y text);"
                        + " INSERT INTO multi_t SELECT i, 'v' || i FROM generate_series(1, 5) AS i;"
                        + " SELECT x, y FROM multi_t ORDER BY x;"
                        + " UPDATE multi_t SET x = x * 10 WHERE x > 2;"
                        + " SELECT sum(x) AS total, count(*) AS n, NULL::text AS nothing FROM multi_t;"
                        + " DELETE FROM multi_t WHERE x < 0;"
                        + " SELECT 'last' AS marker");
                while (true) {
                    if (isResult) {
                        outcome.add(Rows.of(st.getResultSet()));
                    } else if (st.getUpdateCount() >= 0) {
                        outcome.add("count " + st.getUpdateCount());
                    } else {
                        break;
                    }
                    isResult = st.getMoreResults();
                }
            }
            return outcome;
        };

        List<Object> direct = direct(mode.properties(), script);
        List<Object> proxied = proxied(mode.properties(), script);

        assertThat(proxied).isEqualTo(direct).hasSize(7);
    }

    static Stream<Arguments> transactionSettings() {
        return Stream.of(
                arguments(named("simple", QueryMode.SIMPLE.properties())),
                arguments(named("extended", QueryMode.EXTENDED.properties())),
                arguments(named("extended, autosave=always", props("autosave", "always"))));
    }

    /** A failing statement aborts the transaction (25P02 after it) until ROLLBACK; autosave rolls back to a savepoint. */
    @ParameterizedTest
    @MethodSource("transactionSettings")
    void errorInsideTransactionThenRollback(Properties settings) throws Exception {
        Script script = connection -> {
            List<Object> outcome = new ArrayList<>();
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TEMP TABLE tx_t (x int)");
                connection.setAutoCommit(false);
                st.execute("INSERT INTO tx_t VALUES (1)");
                outcome.add(SqlCall.sqlStateOf(() -> st.execute("SELECT 1 / (x - 1) FROM tx_t")));
                outcome.add(stateOrOk(() -> st.execute("INSERT INTO tx_t VALUES (2)")));
                outcome.add(stateOrOk(() -> st.executeQuery("SELECT 1").close()));
                connection.rollback();
                st.execute("INSERT INTO tx_t VALUES (3)");
                connection.commit();
                outcome.add(Rows.query(connection, "SELECT x, now() = statement_timestamp() AS fresh FROM tx_t"));
            }
            return outcome;
        };

        List<Object> direct = direct(settings, script);
        List<Object> proxied = proxied(settings, script);

        assertThat(proxied).isEqualTo(direct);
        assertThat(direct.get(0)).isEqualTo("22012");
    }

    private static String stateOrOk(SqlCall call) {
        try {
            call.run();
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

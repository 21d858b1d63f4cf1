package io.pgmemo.cache.catalog;

import io.pgmemo.cache.sql.Classification;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A {@link PgCatalog} whose look-ups run over one JDBC connection in the simple query protocol, as
 * pgmemo runs them inside a client's session: judge, run the look-up named, judge again.
 */
final class JdbcCatalog implements AutoCloseable {
    private static final int MAX_LOOK_UPS = 100;

    private final CatalogConnector connector;
    private final PgCatalog catalog;
    private Connection connection;
    private int lookUps;

    JdbcCatalog(CatalogConnector connector, CatalogRules rules) {
        this(connector, rules, System::nanoTime);
    }

    JdbcCatalog(CatalogConnector connector, CatalogRules rules, LongSupplier clock) {
        this.connector = connector;
        this.catalog = new PgCatalog(rules, clock);
    }

    ReadVerdict checkRead(Classification read, String searchPath, String role) {
        return drive(() -> catalog.judgeRead(read, searchPath, role),
                e -> ReadVerdict.catalogUnavailable("catalog look-up failed: " + e.getMessage()));
    }

    WriteScope tablesTouched(Classification statement, String searchPath, String role) {
        return drive(() -> catalog.judgeWrites(statement, searchPath, role),
                e -> WriteScope.wholeDatabase("catalog look-up failed: " + e.getMessage()));
    }

    /** The verdict from kept answers alone, if they suffice. */
    Optional<ReadVerdict> checkReadIfKnown(Classification read, String searchPath, String role) {
        return Optional.ofNullable(catalog.judgeRead(read, searchPath, role).answer());
    }

    void invalidate() {
        catalog.invalidate();
    }

    /** Look-ups run since the last call. */
    int lookUpsRun() {
        int n = lookUps;
        lookUps = 0;
        return n;
    }

    private <T> T drive(Supplier<Judgement<T>> judge, java.util.function.Function<SQLException, T> onFailure) {
        for (int i = 0; i < MAX_LOOK_UPS; i++) {
            Judgement<T> judgement = judge.get();
            if (judgement.isAnswered()) {
                return judgement.answer();
            }
            try {
                judgement.lookUp().complete(run(judgement.lookUp().sql()));
                lookUps++;
            } catch (SQLException e) {
                return onFailure.apply(e);
            }
        }
        throw new IllegalStateException("no answer after " + MAX_LOOK_UPS + " look-ups");
    }

    private List<String[]> run(String sql) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Statement s = connection().createStatement()) {
            boolean isResult = s.execute(sql);
            while (!isResult && s.getUpdateCount() != -1) {
                isResult = s.getMoreResults();
            }
            try (ResultSet rs = s.getResultSet()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    String[] row = new String[columns];
                    for (int c = 0; c < columns; c++) {
                        row[c] = rs.getString(c + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connector.connect();
        }
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}

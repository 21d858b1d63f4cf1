package io.pgmemo.demo;

import io.pgmemo.proxy.demo.DemoDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * An embedded PostgreSQL with a small sample database, for trying pgmemo with nothing installed. It
 * lives in pgmemo-demo.jar, with the PostgreSQL binaries, so that pgmemo.jar carries neither;
 * {@code pgmemo demo} finds it through {@link Starter} (a {@link java.util.ServiceLoader} provider).
 */
public final class EmbeddedDemoDatabase implements DemoDatabase {

    private static final String[] SCHEMA = {
        "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL)",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,"
                + " amount numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL)",
        "INSERT INTO customers SELECT i, 'customer ' || i,"
                + " (ARRAY['Berlin','Lisbon','Osaka','Lima','Toronto'])[1 + i % 5]"
                + " FROM generate_series(1, 1000) AS i",
        "INSERT INTO orders (customer_id, amount, placed_at) SELECT 1 + i % 1000, (i % 500) + 0.99,"
                + " timestamptz '2026-01-01 00:00:00+00' + i * interval '7 minutes'"
                + " FROM generate_series(1, 20000) AS i",
        "CREATE VIEW city_revenue AS SELECT c.city, count(*) AS orders, sum(o.amount) AS revenue"
                + " FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.city",
        "ANALYZE",
    };

    private final EmbeddedPostgres postgres;

    /** What {@code pgmemo demo} looks up in pgmemo-demo.jar. */
    public static final class Starter implements DemoDatabase.Starter {
        @Override
        public DemoDatabase start(int port) throws IOException, SQLException {
            return EmbeddedDemoDatabase.start(port);
        }
    }

    private EmbeddedDemoDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts PostgreSQL on {@code port} (0 = any free port) and creates the demo database. */
    public static EmbeddedDemoDatabase start(int port) throws IOException, SQLException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedDemoDatabase demo = new EmbeddedDemoDatabase(builder.start());
        try {
            demo.createSampleData();
        } catch (SQLException | RuntimeException e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    private void createSampleData() throws SQLException {
        try (Connection admin = postgres.getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        DataSource demo = postgres.getDatabase("postgres", DATABASE);
        try (Connection connection = demo.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : SCHEMA) {
                statement.execute(sql);
            }
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

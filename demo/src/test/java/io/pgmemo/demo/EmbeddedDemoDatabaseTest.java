package io.pgmemo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.demo.DemoDatabase;
import io.pgmemo.proxy.demo.DemoJar;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** What {@code pgmemo demo} starts: found as the server finds it, and seeded. */
class EmbeddedDemoDatabaseTest {

    @Test
    void theServerFindsTheStarterAndTheSampleDatabaseAnswers() throws Exception {
        // On this module's class path, so the jar path is not consulted.
        DemoDatabase.Starter starter = DemoJar.load(Path.of("no-such-dir", DemoJar.FILE_NAME));
        assertThat(starter).isInstanceOf(EmbeddedDemoDatabase.Starter.class);

        try (DemoDatabase database = starter.start(0);
             Connection connection = DriverManager.getConnection(
                     "jdbc:postgresql://127.0.0.1:" + database.port() + "/" + DemoDatabase.DATABASE, "postgres", "");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*), sum(orders) FROM city_revenue")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(5);
            assertThat(rs.getLong(2)).isEqualTo(20_000);
        }
    }
}

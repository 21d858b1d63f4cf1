package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import io.pgmemo.proxy.testing.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A write sent by the extended protocol (a pgjdbc PreparedStatement) drops what the catalog says it
 * writes, as a simple Query does: the tables it writes (other tables' entries stay and hit), and for
 * a table with a trigger, whatever the trigger may reach; a read that is not cacheable drops what the
 * catalog says its views, policies or operators may write (here nothing). Every read is compared with
 * the same session's read made directly.
 */
@ProxyTest
class ExtendedWriteScopeTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE ews_written (id int)", "CREATE TABLE ews_other (id int)",
                "INSERT INTO ews_other VALUES (1), (2)",
                "CREATE TABLE ews_triggered (id int)", "CREATE TABLE ews_audit (id int)",
                "CREATE FUNCTION ews_audit() RETURNS trigger LANGUAGE plpgsql AS "
                        + "'BEGIN INSERT INTO ews_audit VALUES (NEW.id); RETURN NEW; END'",
                "CREATE TRIGGER ews_audit AFTER INSERT ON ews_triggered FOR EACH ROW EXECUTE FUNCTION ews_audit()");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE ews_written, ews_other, ews_triggered, ews_audit", "DROP FUNCTION ews_audit()");
        } finally {
            proxy.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueryMode.class, names = {"EXTENDED", "EXTENDED_BINARY"})
    void aPreparedInsertKeepsOtherTablesEntries(QueryMode mode) throws Exception {
        String readOther = "SELECT id FROM ews_other ORDER BY id";
        String readWritten = "SELECT count(*) FROM ews_written";
        try (Connection through = CachingProxy.open(proxy.port(), mode, USER, null);
             Connection direct = CachingProxy.open(PgEnvironment.get().upstreamPort(), mode, USER, null)) {
            insert(through, "INSERT INTO ews_written VALUES (?)");
            Rows.query(through, readOther);
            Rows.query(through, readWritten);
            insert(through, "INSERT INTO ews_written VALUES (?)");
            long hitsBefore = proxy.stats().hits();

            assertThat(Rows.query(through, readOther)).isEqualTo(Rows.query(direct, readOther));
            assertThat(proxy.stats().hits()).as("ews_other's entry outlived the insert").isGreaterThan(hitsBefore);
            assertThat(Rows.query(through, readWritten)).isEqualTo(Rows.query(direct, readWritten));
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueryMode.class, names = {"EXTENDED", "EXTENDED_BINARY"})
    void aPreparedInsertDropsWhatItsTriggerWrites(QueryMode mode) throws Exception {
        String readAudit = "SELECT count(*) FROM ews_audit";
        try (Connection through = CachingProxy.open(proxy.port(), mode, USER, null);
             Connection direct = CachingProxy.open(PgEnvironment.get().upstreamPort(), mode, USER, null)) {
            for (int i = 0; i < 3; i++) {
                Rows.query(through, readAudit);
                insert(through, "INSERT INTO ews_triggered VALUES (?)");
                assertThat(Rows.query(through, readAudit)).isEqualTo(Rows.query(direct, readAudit));
            }
        }
    }

    /** A read that is not cacheable (a system catalog) changes nothing the catalog can see: entries stay. */
    @ParameterizedTest
    @EnumSource(value = QueryMode.class, names = {"EXTENDED", "EXTENDED_BINARY"})
    void anUncacheableReadKeepsOtherEntries(QueryMode mode) throws Exception {
        String readOther = "SELECT id FROM ews_other ORDER BY id";
        String uncacheable = "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'ews_other'";
        try (Connection through = CachingProxy.open(proxy.port(), mode, USER, null);
             Connection direct = CachingProxy.open(PgEnvironment.get().upstreamPort(), mode, USER, null)) {
            Rows.query(through, readOther);
            Rows.query(through, uncacheable);
            assertThat(Rows.query(through, uncacheable)).isEqualTo(Rows.query(direct, uncacheable));
            long hitsBefore = proxy.stats().hits();

            assertThat(Rows.query(through, readOther)).isEqualTo(Rows.query(direct, readOther));
            assertThat(proxy.stats().hits()).as("the entry outlived the uncacheable read").isGreaterThan(hitsBefore);
        }
    }

    private static void insert(Connection connection, String sql) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setInt(1, 7);
            insert.executeUpdate();
        }
    }
}

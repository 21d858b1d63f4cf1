package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entries are kept apart per database, and what only reads does not drop what others cached (a hit
 * ratio concern: every such read would otherwise empty the cache for every session).
 */
@ProxyTest
class InvalidationScopeTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final String OTHER_DATABASE = "cache_other_db";
    private static final String READ = "SELECT * FROM scope_t ORDER BY id";
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE scope_t (id int, v text)", "INSERT INTO scope_t VALUES (1, 'postgres db')",
                "CREATE TABLE scope_log (id int, v text)", "CREATE DATABASE " + OTHER_DATABASE);
        try (Connection other = CachingProxy.openDatabase(PgEnvironment.get().upstreamPort(), OTHER_DATABASE);
             Statement st = other.createStatement()) {
            st.execute("CREATE TABLE scope_t (id int, v text)");
            st.execute("INSERT INTO scope_t VALUES (1, 'other db'), (2, 'other db')");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP TABLE scope_t", "DROP TABLE scope_log", "DROP DATABASE " + OTHER_DATABASE + " WITH (FORCE)");
        } finally {
            proxy.close();
        }
    }

    /** The same text, user and settings on another database: that database's rows. */
    @Test
    void anotherDatabaseHasItsOwnEntries() throws Exception {
        try (Twin here = Twin.open(proxy, USER); Twin there = Twin.openDatabase(proxy, OTHER_DATABASE)) {
            Outcome mine = here.cache(READ);
            Outcome theirs = there.noHit(READ);
            assertThat(theirs).isNotEqualTo(mine);
            assertThat(there.cache(READ)).isEqualTo(theirs);

            // A write in the other database leaves it right there, and right here.
            there.viaProxy("UPDATE scope_t SET v = 'changed' WHERE id = 2");
            assertThat(there.noHit(READ)).isNotEqualTo(theirs);
            assertThat(here.read(READ).outcome()).isEqualTo(mine);
        }
    }

    /**
     * An INSERT that names its columns drops what read its table and nothing else: the column list is
     * not a call of an unknown function (which may write anywhere).
     */
    @Test
    void anInsertNamingItsColumnsDropsOnlyItsTable() throws Exception {
        String read = "/* insert */ " + READ;
        try (Twin reader = Twin.open(proxy, USER); Twin writer = Twin.open(proxy, USER)) {
            Outcome cached = reader.cache(read);
            writer.viaProxy("INSERT INTO scope_log (id, v) VALUES (1, 'elsewhere')");
            assertThat(reader.hit(read)).isEqualTo(cached);
            writer.viaProxy("INSERT INTO public.scope_t (id, v) VALUES (7, 'here')");
            assertThat(reader.noHit(read)).isNotEqualTo(cached);
            writer.viaProxy("DELETE FROM scope_t WHERE id = 7");
        }
    }

    /** A read of a system catalog (never cached) by another session leaves this session's entry in place. */
    @Test

    void uncacheableCatalogReadKeepsOtherEntries() throws Exception {
        String read = "/* catalog */ " + READ;
        try (Twin reader = Twin.open(proxy, USER); Twin other = Twin.open(proxy, USER)) {
            Outcome cached = reader.cache(read);
            other.noHit("SELECT count(*) > 0 AS any FROM pg_catalog.pg_class");
            assertThat(reader.hit(read)).isEqualTo(cached);
        }
    }

    /** Reads inside another session's transaction (not served, not stored) leave this session's entry in place. */
    @Test

    void readsInsideATransactionKeepOtherEntries() throws Exception {
        String read = "/* transaction */ " + READ;
        try (Twin reader = Twin.open(proxy, USER); Twin other = Twin.open(proxy, USER)) {
            Outcome cached = reader.cache(read);
            other.both("BEGIN");
            other.noHit("SELECT id FROM scope_t ORDER BY id");
            other.both("COMMIT");
            assertThat(reader.hit(read)).as("after a read with plain column names").isEqualTo(cached);

            other.both("BEGIN");
            other.noHit("SELECT s.id, s.v FROM scope_t s ORDER BY s.id");
            other.both("COMMIT");
            assertThat(reader.hit(read)).as("after a read with qualified column names").isEqualTo(cached);
        }
    }

    /**
     * Text the proxy cannot read, rejected by PostgreSQL as a syntax error, ran nothing: it drops no
     * entry, in or out of a transaction block.
     */
    @Test
    void aSyntaxErrorKeepsEntries() throws Exception {
        String read = "/* syntax error */ " + READ;
        try (Twin reader = Twin.open(proxy, USER); Twin other = Twin.open(proxy, USER)) {
            Outcome cached = reader.cache(read);
            assertThat(other.noHit("SELEC 1").sqlState()).isEqualTo("42601");
            assertThat(other.noHit("SELECT 1; SELEC 2").sqlState()).isEqualTo("42601");
            assertThat(reader.hit(read)).as("after syntax errors").isEqualTo(cached);

            other.both("BEGIN");
            assertThat(other.noHit("UPDATE scope_t SET v = 'never' WHERE id = 1; SELEC 1").sqlState())
                    .isEqualTo("42601");
            other.both("ROLLBACK");
            assertThat(reader.hit(read)).as("after a syntax error in a transaction block").isEqualTo(cached);
        }
    }

    /** A write drops what was read from the tables it wrote, and keeps what was read from others. */
    @Test
    void writeToAnotherTableKeepsEntries() throws Exception {
        String read = "/* other table */ " + READ;
        proxy.admin("CREATE TABLE scope_elsewhere (id int)");
        try (Twin reader = Twin.open(proxy, USER); Twin writer = Twin.open(proxy, USER)) {
            Outcome cached = reader.cache(read);
            writer.viaProxy("INSERT INTO scope_elsewhere VALUES (1)", "UPDATE scope_elsewhere SET id = 2",
                    "DELETE FROM scope_elsewhere");
            assertThat(reader.hit(read)).isEqualTo(cached);

            writer.viaProxy("UPDATE scope_t SET v = 'changed' WHERE id = 1");
            assertThat(reader.noHit(read)).isNotEqualTo(cached);
        } finally {
            proxy.admin("DROP TABLE scope_elsewhere", "UPDATE scope_t SET v = 'postgres db' WHERE id = 1");
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writes inside a transaction block leave the cache as it is until the block may end (nobody else
 * sees them before), and are dropped when it may: another session reads through the proxy what it
 * reads directly at every step, whichever way the writer's block ends, in every protocol the writer
 * speaks.
 */
@ProxyTest
class TransactionBlockWritesTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        for (QueryMode mode : QueryMode.values()) {
            proxy.admin("CREATE TABLE " + table(mode) + " (id int PRIMARY KEY, v text)",
                    "INSERT INTO " + table(mode) + " VALUES (1, 'a'), (2, 'b')");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (QueryMode mode : QueryMode.values()) {
                proxy.admin("DROP TABLE IF EXISTS " + table(mode));
            }
        } finally {
            proxy.close();
        }
    }

    private static String table(QueryMode mode) {
        return "tbw_" + mode.name().toLowerCase();
    }

    @ParameterizedTest
    @EnumSource(QueryMode.class)
    void writesInABlockAreDroppedWhenItMayEnd(QueryMode mode) throws Exception {
        String read = "SELECT * FROM " + table(mode) + " ORDER BY id";
        try (Twin reader = Twin.open(proxy, USER);
             Connection writer = CachingProxy.open(proxy.port(), mode, USER, null);
             Statement st = writer.createStatement()) {
            Outcome before = reader.cache(read);

            st.execute("BEGIN");
            st.execute("UPDATE " + table(mode) + " SET v = 'first' WHERE id = 1");
            // Uncommitted: the direct session sees the old rows too, and the entry stays.
            assertThat(reader.hit(read)).isEqualTo(before);

            // One request that commits and opens the next block: the first block's write is seen now.
            st.execute("COMMIT; BEGIN");
            Outcome committed = reader.noHit(read);
            assertThat(committed).isNotEqualTo(before);
            Outcome cachedAgain = reader.cache(read);

            st.execute("UPDATE " + table(mode) + " SET v = 'second' WHERE id = 2");
            assertThat(reader.hit(read)).isEqualTo(cachedAgain);
            st.execute("COMMIT");
            assertThat(reader.noHit(read)).isNotEqualTo(committed);

            st.execute("BEGIN");
            st.execute("DELETE FROM " + table(mode) + " WHERE id = 1");
            st.execute("ROLLBACK");
            reader.read(read);
        }
    }
}

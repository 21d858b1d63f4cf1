package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.Rows;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A function run by the protocol's FunctionCall (the "fast path" pgjdbc uses for large objects) may
 * write anything: what was cached before it is not served after it. Its reply has no
 * CommandComplete, only a FunctionCallResponse.
 */
@ProxyTest
class FunctionCallTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final String READ = "SELECT count(*) FROM fc_t";
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE fc_t (id int)",
                "CREATE FUNCTION fc_add() RETURNS int VOLATILE LANGUAGE sql AS 'INSERT INTO fc_t VALUES (1) RETURNING 1'");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP FUNCTION fc_add()", "DROP TABLE fc_t");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aWriteByFunctionCallDropsWhatItMayHaveChanged() throws Exception {
        try (Connection through = proxy.connect(USER); Connection direct = proxy.direct(USER)) {
            Rows.query(through, READ);
            long hitsBefore = proxy.stats().hits();
            assertThat(Rows.query(through, READ)).isEqualTo(Rows.query(direct, READ));
            assertThat(proxy.stats().hits()).as("the read is cached").isGreaterThan(hitsBefore);

            callByFunctionCall(functionOid(direct, "fc_add"));

            assertThat(Rows.query(through, READ)).isEqualTo(Rows.query(direct, READ));
        }
    }

    private static void callByFunctionCall(int oid) throws Exception {
        try (RawPgClient client = RawPgClient.connect(proxy.port())) {
            client.startup(USER);
            // Function OID, no argument format codes, no arguments, result in text.
            byte[] body = ByteBuffer.allocate(10).putInt(oid).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).array();
            client.send(RawPgClient.message('F', body));
            client.awaitReadyForQuery();
        }
    }

    private static int functionOid(Connection connection, String name) throws Exception {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT '" + name + "'::regproc::oid::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

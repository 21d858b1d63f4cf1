package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/** pgjdbc's large object API goes over FunctionCall (fastpath) messages, relayed like queries. */
@ProxyTest
class LargeObjectTest {
    private final PgEnvironment env = PgEnvironment.get();

    @Test
    void largeObjectWrittenAndReadBackAsDirectly() throws Exception {
        byte[] content = new byte[300_000];
        new Random(7).nextBytes(content);

        List<Object> viaProxy = roundTrip(env.viaProxy(), content);
        List<Object> direct = roundTrip(env.direct(), content);

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(viaProxy.get(0)).isEqualTo(Arrays.hashCode(content));
    }

    private static List<Object> roundTrip(Connection connection, byte[] content) throws Exception {
        try (connection) {
            connection.setAutoCommit(false);
            LargeObjectManager manager = connection.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = manager.createLO();
            try (LargeObject object = manager.open(oid, LargeObjectManager.WRITE)) {
                for (int offset = 0; offset < content.length; offset += 70_000) {
                    object.write(content, offset, Math.min(70_000, content.length - offset));
                }
            }
            List<Object> outcome = new ArrayList<>();
            try (LargeObject object = manager.open(oid, LargeObjectManager.READ)) {
                outcome.add(Arrays.hashCode(object.read(content.length)));
                object.seek(1000);
                outcome.add(Arrays.toString(object.read(16)));
                outcome.add(object.size64());
            }
            manager.unlink(oid);
            connection.commit();
            return outcome;
        }
    }
}

package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.RawPgClient;
import io.pgmemo.proxy.testing.RawPgClient.Message;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Byte-level relay: however the client's bytes are cut into writes, the client gets exactly the
 * messages a direct connection gets (BackendKeyData aside, which names a different backend).
 */
@ProxyTest
class RawRelayTest {
    private final PgEnvironment env = PgEnvironment.get();

    /** Many queries in one write, an error among them: every result and ReadyForQuery, in order. */
    @Test
    void manyQueriesPipelinedInOneWrite() throws Exception {
        ByteArrayOutputStream queries = new ByteArrayOutputStream();
        int count = 300;
        for (int i = 0; i < count; i++) {
            String sql = i == 150 ? "SELECT 1 / 0" : "SELECT " + i + " AS n, repeat('q', " + (i * 7) + ") AS pad";
            queries.writeBytes(RawPgClient.query(sql));
        }
        byte[] bytes = queries.toByteArray();

        List<String> viaProxy = exchange(env.proxyPort(), false, bytes, count);
        List<String> direct = exchange(env.upstreamPort(), false, bytes, count);

        assertThat(viaProxy).isEqualTo(direct).hasSize(count * 4 - 2);
    }

    /** Queries sent in the same write as the StartupMessage wait for the upstream connection. */
    @Test
    void queriesPipelinedBehindTheStartupMessage() throws Exception {
        byte[] bytes = RawPgClient.concat(
                RawPgClient.startupMessage(PgEnvironment.TRUST_USER, PgEnvironment.DATABASE),
                RawPgClient.query("SELECT current_user, 'first' AS q"),
                RawPgClient.query("SELECT 'second' AS q; SELECT 'third' AS q"));

        List<String> viaProxy = exchange(env.proxyPort(), true, bytes, 2);
        List<String> direct = exchange(env.upstreamPort(), true, bytes, 2);

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(viaProxy.stream().filter(m -> m.startsWith("D"))).hasSize(3);
    }

    /** The startup and a query arriving one byte per write are put together again. */
    @Test
    void startupAndQueryOneByteAtATime() throws Exception {
        byte[] bytes = RawPgClient.concat(
                RawPgClient.startupMessage(PgEnvironment.TRUST_USER, PgEnvironment.DATABASE),
                RawPgClient.query("SELECT 'trickled' AS how, 42 AS n"));

        List<String> viaProxy = trickle(env.proxyPort(), bytes);
        List<String> direct = trickle(env.upstreamPort(), bytes);

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(viaProxy.stream().filter(m -> m.startsWith("D"))).hasSize(1);
    }

    /**
     * Sends {@code bytes} in one write (after a normal startup unless they hold it) and reads the
     * messages up to the ReadyForQuery answering the last of {@code queries} Query messages.
     */
    private static List<String> exchange(int port, boolean bytesHoldStartup, byte[] bytes, int queries)
            throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            if (!bytesHoldStartup) {
                client.startup(PgEnvironment.SUPERUSER);
            }
            client.send(bytes);
            return readUntilReadies(client, queries + (bytesHoldStartup ? 1 : 0));
        }
    }

    private static List<String> trickle(int port, byte[] bytes) throws Exception {
        try (RawPgClient client = RawPgClient.connect(port)) {
            for (byte b : bytes) {
                client.send(new byte[] {b});
                Thread.sleep(0, 200_000);
            }
            return readUntilReadies(client, 2);
        }
    }

    /** Each message as type and hex body; BackendKeyData without its body. */
    private static List<String> readUntilReadies(RawPgClient client, int readies) throws Exception {
        List<String> messages = new ArrayList<>();
        int seen = 0;
        while (seen < readies) {
            Message message = client.readMessage();
            if (message.type() == 'Z') {
                seen++;
            }
            messages.add(message.type() + (message.type() == 'K' ? "" : HexFormat.of().formatHex(message.body())));
        }
        return messages;
    }
}

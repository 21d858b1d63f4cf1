package io.pgmemo.proxy.cache;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.RawPgClient;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A superuser session over a raw socket, for what pgjdbc will not do (DateStyle other than ISO,
 * extended-protocol messages mixed with simple Queries). Answers are kept as "type:hex body" strings,
 * so that a proxied and a direct session can be compared byte for byte.
 */
final class RawSession implements AutoCloseable {
    private static final HexFormat HEX = HexFormat.of();

    private final RawPgClient client;

    private RawSession(RawPgClient client) {
        this.client = client;
    }

    static RawSession open(int port) throws Exception {
        RawPgClient client = RawPgClient.connect(port);
        try {
            client.startup(PgEnvironment.SUPERUSER);
            return new RawSession(client);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    /** A simple Query, and every message up to its ReadyForQuery. */
    List<String> query(String sql) throws Exception {
        return send(RawPgClient.query(sql), 1);
    }

    /** Parse, Bind, Execute (unnamed, no parameters, text) and Sync, and every message up to ReadyForQuery. */
    List<String> extended(String sql) throws Exception {
        return send(RawPgClient.concat(RawPgClient.parse(sql), RawPgClient.bind(), RawPgClient.execute(),
                RawPgClient.sync()), 1);
    }

    /** Sends the bytes in one write and reads every message up to the {@code readyCount}-th ReadyForQuery. */
    List<String> send(byte[] bytes, int readyCount) throws Exception {
        client.send(bytes);
        List<String> messages = new ArrayList<>();
        int ready = 0;
        while (ready < readyCount) {
            RawPgClient.Message message = client.readMessage();
            messages.add(message.type() + ":" + HEX.formatHex(message.body()));
            if (message.type() == 'Z') {
                ready++;
            }
        }
        return messages;
    }

    /** The text of the DataRows' columns, for readable assertions. */
    static List<List<String>> rows(List<String> messages) {
        List<List<String>> rows = new ArrayList<>();
        for (String message : messages) {
            if (!message.startsWith("D:")) {
                continue;
            }
            java.nio.ByteBuffer body = java.nio.ByteBuffer.wrap(HEX.parseHex(message.substring(2)));
            int columns = body.getShort();
            List<String> row = new ArrayList<>();
            for (int i = 0; i < columns; i++) {
                int length = body.getInt();
                if (length < 0) {
                    row.add(null);
                } else {
                    byte[] value = new byte[length];
                    body.get(value);
                    row.add(new String(value, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            rows.add(row);
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        try {
            client.send(RawPgClient.message('X', new byte[0]));
        } finally {
            client.close();
        }
    }
}

package io.pgmemo.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Terminate;
import io.pgmemo.protocol.startup.StartupMessage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;

/**
 * A plain blocking connection to PostgreSQL that carries protocol v3 bytes and cuts what comes back
 * into {@link Frame}s: the upstream of {@link SessionPathBenchmark}'s session while it is set up, so
 * that the session's own requests (its probe, catalog look-ups) get the server's real answers.
 */
final class PostgresSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private PostgresSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port} and sends a StartupMessage; its replies are left to read. */
    static PostgresSocket open(int port, String user, String database) throws IOException {
        PostgresSocket connection = new PostgresSocket(new Socket(InetAddress.getLoopbackAddress(), port));
        ByteBuf startup = Unpooled.buffer();
        new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of("user", user, "database", database)).encode(startup);
        connection.send(startup);
        startup.release();
        return connection;
    }

    /** Writes the readable bytes of {@code bytes} (not released). */
    void send(ByteBuf bytes) throws IOException {
        byte[] copy = new byte[bytes.readableBytes()];
        bytes.getBytes(bytes.readerIndex(), copy);
        out.write(copy);
        out.flush();
    }

    /** The next whole message from the server: type byte, Int32 length, body. */
    Frame read() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        byte[] whole = new byte[1 + length];
        whole[0] = type;
        whole[1] = (byte) (length >>> 24);
        whole[2] = (byte) (length >>> 16);
        whole[3] = (byte) (length >>> 8);
        whole[4] = (byte) length;
        in.readFully(whole, Frame.HEADER_LENGTH, length - 4);
        return new Frame(Unpooled.wrappedBuffer(whole));
    }

    /** Ends the backend politely (Terminate), then closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            ByteBuf terminate = Unpooled.buffer(5);
            Terminate.INSTANCE.encode(terminate);
            send(terminate);
            terminate.release();
        } finally {
            socket.close();
        }
    }
}

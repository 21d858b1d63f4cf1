package io.pgmemo.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.pgmemo.protocol.backend.Authentication;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.SaslInitialResponse;
import io.pgmemo.protocol.frontend.SaslResponse;
import io.pgmemo.protocol.scram.ScramClient;
import io.pgmemo.protocol.scram.ScramException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PostgreSQL client speaking raw bytes over a socket, for what pgjdbc would never send. */
public final class RawPgClient implements AutoCloseable {
    public static final int PROTOCOL_3_0 = 196608;
    public static final int SSL_REQUEST_CODE = 80877103;
    public static final int GSSENC_REQUEST_CODE = 80877104;
    public static final int CANCEL_REQUEST_CODE = 80877102;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawPgClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawPgClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** @param receiveBuffer the socket's receive buffer size, or 0 for the default */
    public static RawPgClient connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(15_000);
        socket.connect(new InetSocketAddress(PgEnvironment.HOST, port), 5_000);
        return new RawPgClient(socket);
    }

    /** One backend message: type byte and body (without the length word). */
    public record Message(char type, byte[] body) {
        /** ErrorResponse or NoticeResponse fields by code. */
        public Map<Character, String> fields() {
            Map<Character, String> fields = new LinkedHashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                fields.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return fields;
        }

        public String sqlState() {
            return fields().get('C');
        }

        @Override
        public String toString() {
            return type == 'E' || type == 'N' ? type + fields().toString() : type + "[" + body.length + " bytes]";
        }
    }

    // ---- building packets ----------------------------------------------------------------------

    public static byte[] startupMessage(String user, String database) {
        return startupMessage(PROTOCOL_3_0, "user", user, "database", database, "application_name", "raw-client");
    }

    /** A StartupMessage of any protocol version with parameters from alternating names and values. */
    public static byte[] startupMessage(int protocolVersion, String... namesAndValues) {
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        for (String s : namesAndValues) {
            params.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            params.write(0);
        }
        params.write(0);
        byte[] body = params.toByteArray();
        return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(protocolVersion).put(body).array();
    }

    /** An 8-byte startup-phase request (SSLRequest, GSSENCRequest) with the given code. */
    public static byte[] request(int code) {
        return ByteBuffer.allocate(8).putInt(8).putInt(code).array();
    }

    public static byte[] cancelRequest(int processId, int secretKey) {
        return ByteBuffer.allocate(16).putInt(16).putInt(CANCEL_REQUEST_CODE).putInt(processId).putInt(secretKey)
                .array();
    }

    /** A typed message with a correct length word. */
    public static byte[] message(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    public static byte[] query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        return message('Q', ByteBuffer.allocate(text.length + 1).put(text).put((byte) 0).array());
    }

    /** Parse of an unnamed statement without parameter types. */
    public static byte[] parse(String sql) {
        return message('P', concat(cString(""), cString(sql), new byte[] {0, 0}));
    }

    /** Bind of the unnamed statement to the unnamed portal: no parameters, text results. */
    public static byte[] bind() {
        return message('B', concat(cString(""), cString(""), new byte[] {0, 0, 0, 0, 0, 0}));
    }

    /** Execute of the unnamed portal, all rows. */
    public static byte[] execute() {
        return message('E', concat(cString(""), new byte[] {0, 0, 0, 0}));
    }

    public static byte[] flush() {
        return message('H', new byte[0]);
    }

    public static byte[] sync() {
        return message('S', new byte[0]);
    }

    private static byte[] cString(String text) {
        return concat(text.getBytes(StandardCharsets.UTF_8), new byte[] {0});
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    // ---- talking -------------------------------------------------------------------------------

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public int readByte() throws IOException {
        return in.read();
    }

    public Message readMessage() throws IOException {
        return readMessage((char) in.readUnsignedByte());
    }

    /** Reads the rest of a message whose type byte was already read with {@link #readByte()}. */
    public Message readMessage(char type) throws IOException {
        int length = in.readInt();
        if (length < 4 || length > 64 << 20) {
            throw new IOException("implausible message length " + length + " for type '" + type + "'");
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /**
     * Sends a StartupMessage, answers a SCRAM-SHA-256 request with the user's test password
     * ({@link PgEnvironment#passwordOf}), and reads up to ReadyForQuery.
     */
    public void startup(String user) throws IOException {
        send(startupMessage(user, PgEnvironment.DATABASE));
        ScramClient scram = new ScramClient(ScramClient.password(PgEnvironment.passwordOf(user)), null, false);
        while (true) {
            Message message = readMessage();
            if (message.type() != 'R') {
                throwIfError(message);
                if (message.type() == 'Z') {
                    return;
                }
                continue;
            }
            ByteBuffer body = ByteBuffer.wrap(message.body());
            try {
                answerAuthentication(scram, body.getInt(), body);
            } catch (ScramException e) {
                throw new IOException("SCRAM exchange failed: " + e.getMessage(), e);
            }
        }
    }

    private void answerAuthentication(ScramClient scram, int code, ByteBuffer data) throws IOException,
            ScramException {
        byte[] rest = new byte[data.remaining()];
        data.get(rest);
        switch (code) {
            case Authentication.SASL -> send(messages(new SaslInitialResponse(
                    scram.mechanism(List.of("SCRAM-SHA-256")), scram.clientFirst())));
            case Authentication.SASL_CONTINUE -> send(messages(new SaslResponse(scram.clientFinal(rest))));
            case Authentication.SASL_FINAL -> scram.checkServerFinal(rest);
            default -> { }
        }
    }

    /** The messages as the protocol encodes them, one after the other. */
    public static byte[] messages(FrontendMessage... messages) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (FrontendMessage message : messages) {
                message.encode(out);
            }
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static void throwIfError(Message message) throws IOException {
        if (message.type() == 'E') {
            throw new IOException("unexpected error: " + message);
        }
    }

    /** Reads messages up to and including ReadyForQuery; fails on ErrorResponse. */
    public void awaitReadyForQuery() throws IOException {
        while (true) {
            Message message = readMessage();
            if (message.type() == 'Z') {
                return;
            }
            if (message.type() == 'E') {
                throw new IOException("unexpected error: " + message);
            }
        }
    }

    /** Reads messages until ErrorResponse and returns it; fails on ReadyForQuery or EOF first. */
    public Message readError() throws IOException {
        while (true) {
            Message message = readMessage();
            if (message.type() == 'E') {
                return message;
            }
            if (message.type() == 'Z') {
                throw new IOException("ReadyForQuery where an error was expected");
            }
        }
    }

    /** True if the peer closed the connection (EOF or reset) with no further bytes, false if bytes came. */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    public long readBytes(byte[] buffer) throws IOException {
        return in.read(buffer);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmemo.proxy.config.HostPort;
import io.pgmemo.proxy.config.ProxyConfig;
import io.pgmemo.proxy.server.PgmemoServer;
import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** When the upstream cannot be reached the client hears 08001 naming it, promptly, and nothing hangs. */
@ProxyTest
class UnreachableUpstreamTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    private final PgEnvironment env = PgEnvironment.get();

    @Test
    void refusedConnectionFailsWith08001NamingTheUpstream() throws Exception {
        int closedPort = freePort();
        PgmemoServer server = env.startProxy(config -> withUpstream(config, closedPort));
        try {
            SQLException error = connectFailure(server);

            assertThat(error.getSQLState()).isEqualTo("08001");
            assertThat(error.getMessage()).contains(PgEnvironment.HOST + ":" + closedPort);
            awaitNoSessions(server);
            // Still accepting, still failing the same way.
            assertThat(connectFailure(server).getSQLState()).isEqualTo("08001");
        } finally {
            server.shutdown(Duration.ofSeconds(2));
        }
    }

    /**
     * An upstream that never answers the SYN (a listener whose accept queue is full) runs into the
     * configured connect timeout rather than hanging the client.
     */
    @Test
    void silentUpstreamFailsWith08001AfterTheConnectTimeout() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0, 1, InetAddress.getByName(PgEnvironment.HOST))) {
            List<Socket> fillers = fillAcceptQueue(blackHole.getLocalPort());
            try {
                PgmemoServer server = env.startProxy(config -> withUpstream(config, blackHole.getLocalPort())
                        .withConnectTimeout(Duration.ofSeconds(1)));
                try {
                    SQLException error = connectFailure(server);

                    assertThat(error.getSQLState()).isEqualTo("08001");
                    assertThat(error.getMessage()).contains(PgEnvironment.HOST + ":" + blackHole.getLocalPort());
                    awaitNoSessions(server);
                } finally {
                    server.shutdown(Duration.ofSeconds(2));
                }
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    private static ProxyConfig withUpstream(ProxyConfig config, int port) {
        return new ProxyConfig(config.listen(), new HostPort(PgEnvironment.HOST, port), config.connectTimeout(),
                config.maxMessageBytes(), config.shutdownTimeout(), config.ioThreads(), config.cache(),
                config.tls(), config.authFile(), config.deferBegin());
    }

    private static SQLException connectFailure(PgmemoServer server) {
        int port = server.boundAddress().getPort();
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                PgEnvironment.connect(port, new Properties()).close();
            } catch (SQLException e) {
                return e;
            }
            throw new AssertionError("connected through a proxy with no reachable upstream");
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(PgEnvironment.HOST))) {
            return socket.getLocalPort();
        }
    }

    /** Connects until a connect attempt times out, i.e. the listener drops SYNs; skips if it never does. */
    private static List<Socket> fillAcceptQueue(int port) throws IOException {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(PgEnvironment.HOST, port), 300);
                fillers.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return fillers;
            } catch (IOException refused) {
                socket.close();
                break;
            }
        }
        for (Socket filler : fillers) {
            filler.close();
        }
        assumeTrue(false, "this kernel does not drop SYNs to a full accept queue");
        return fillers;
    }

    private static void awaitNoSessions(PgmemoServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.sessions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.sessions().size()).as("sessions left after the failures").isZero();
    }
}

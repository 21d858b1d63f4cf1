package io.pgmemo.proxy.cli;

import io.pgmemo.protocol.startup.StartupPacket;
import io.pgmemo.proxy.config.HostPort;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pgmemo ping}: a health check for containers; exits 0 when the address answers like PostgreSQL. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Exit 0 if pgmemo (or PostgreSQL) answers an SSLRequest at --target, else 1.")
final class PingCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            defaultValue = "${env:PGMEMO_PING_TARGET:-127.0.0.1:6432}",
            description = "Address to check (env PGMEMO_PING_TARGET). Default: ${DEFAULT-VALUE}.")
    HostPort target;

    @Override
    public Integer call() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), 2000);
            socket.setSoTimeout(2000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(8);
            out.writeInt(StartupPacket.SSL_REQUEST_CODE);
            out.flush();
            int answer = socket.getInputStream().read();
            if (answer == 'N' || answer == 'S') {
                return 0;
            }
            System.err.println("unexpected answer from " + target + ": " + answer);
        } catch (IOException e) {
            System.err.println("no answer from " + target + ": " + e.getMessage());
        }
        return 1;
    }
}

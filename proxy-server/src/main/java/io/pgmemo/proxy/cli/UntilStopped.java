package io.pgmemo.proxy.cli;

import io.pgmemo.proxy.server.PgmemoServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Keeps a started server running until SIGTERM or SIGINT, then drains it. Handling the signals
 * ourselves (rather than only a shutdown hook) lets the process exit 0 after a clean drain. Create
 * it before starting anything: a signal that arrives during start-up is then kept, and the process
 * stops cleanly once started instead of exiting at once with what it started still running.
 */
final class UntilStopped {
    private static final Logger log = LoggerFactory.getLogger(UntilStopped.class);

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    UntilStopped() {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                log.info("received SIG{}", signal.getName());
                stopRequested.countDown();
            });
        }
    }

    void await(PgmemoServer server, Duration drainTimeout, Runnable afterStop) throws InterruptedException {
        stopRequested.await();
        server.shutdown(drainTimeout);
        afterStop.run();
    }
}

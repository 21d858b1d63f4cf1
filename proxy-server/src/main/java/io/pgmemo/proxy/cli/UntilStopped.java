package io.pgmemo.proxy.cli;

import io.pgmemo.proxy.server.PgmemoServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Keeps a started server running until SIGTERM or SIGINT, then drains it. Handling the signals
 * ourselves (rather than only a shutdown hook) lets the process exit 0 after a clean drain.
 */
final class UntilStopped {
    private static final Logger log = LoggerFactory.getLogger(UntilStopped.class);

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    void await(PgmemoServer server, Duration drainTimeout, Runnable afterStop) throws InterruptedException {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                log.info("received SIG{}", signal.getName());
                stopRequested.countDown();
            });
        }
        stopRequested.await();
        server.shutdown(drainTimeout);
        afterStop.run();
    }
}

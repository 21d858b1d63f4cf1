package io.pgmemo.proxy.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty's leak reports, as logged (at ERROR, "LEAK: ...") by {@code io.netty.util.ResourceLeakDetector}
 * and recorded by {@link RecordingAppender} (configured in logback-test.xml).
 *
 * <p>Netty reports a leak only after the buffer was garbage-collected and a later allocation polls
 * the detector, so {@link #collect()} forces both.
 */
public final class LeakWatch {
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();

    static {
        // The surefire argLine sets paranoid already; this keeps the check meaningful when run from an IDE.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private LeakWatch() {
    }

    /** Forces a GC and makes the detectors report what it found. */
    public static void collect() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            System.gc();
            queue.remove(1_000);
            sentinel.clear();
            ByteBufAllocator.DEFAULT.buffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }

    /** Removes and returns the reports that contain {@code marker}. */
    public static List<String> take(String marker) {
        List<String> taken = new ArrayList<>();
        REPORTS.removeIf(report -> report.contains(marker) && taken.add(report));
        return taken;
    }

    public static void assertNoLeaks(String after) throws InterruptedException {
        collect();
        List<String> leaks = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            leaks.add(report);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leak(s) by the end of " + after + ":\n"
                    + String.join("\n\n", leaks));
        }
    }

    /** A logback appender that keeps every "LEAK:" report. */
    public static final class RecordingAppender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            String message = event.getFormattedMessage();
            if (message != null && message.contains("LEAK:")) {
                REPORTS.add(message);
            }
        }
    }
}

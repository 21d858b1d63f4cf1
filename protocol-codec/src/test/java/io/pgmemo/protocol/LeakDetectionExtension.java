package io.pgmemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked buffer.
 *
 * <p>Netty reports a leak only when a buffer is garbage-collected unreleased and a later allocation
 * polls the detector's reference queue. So after each test this forces a GC, waits until the
 * collector has enqueued a sentinel reference, allocates (which makes the detector report), and
 * fails the test with every report recorded by the detectors this extension installed.
 *
 * <p>Limits: buffers' detector is created once, when {@code AbstractByteBuf} is initialised, so the
 * factory must be installed before any buffer class is touched; {@link #beforeAll} checks that it
 * was and refuses to run otherwise. Netty reports an identical leak (same allocation stack) only
 * once per JVM, so a repeated leak fails only the first test that causes it.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final Set<Class<?>> DETECTED_TYPES = ConcurrentHashMap.newKeySet();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ByteBufAllocator.DEFAULT.buffer(1).release();
        if (!DETECTED_TYPES.contains(ByteBuf.class)) {
            throw new ExtensionConfigurationException("ByteBuf's leak detector was created before "
                    + LeakDetectionExtension.class.getSimpleName() + " installed its factory: leaks would go unseen");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        collectGarbage();
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            leaks.add(leak);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) reported after " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", leaks));
        }
    }

    private static void collectGarbage() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            System.gc();
            queue.remove(1_000);
            sentinel.clear();
            // Tracking a new buffer makes the detector poll its queue and report what it finds.
            ByteBufAllocator.DEFAULT.buffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }

    @SuppressWarnings("deprecation")
    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            DETECTED_TYPES.add(resource);
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + ".release() was not called (no access records)");
        }
    }
}

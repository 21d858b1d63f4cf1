package io.pgmemo.proxy.testing;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the {@link PgEnvironment} before the first class that needs it and registers it in the
 * root store, so JUnit closes it once the whole run is over. After each class (and its own
 * {@code @AfterAll} methods), fails if Netty reported a leaked buffer meanwhile, or if the shared
 * proxy still holds sessions the class opened and closed.
 */
public final class ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ProxyExtension.class);
    private static final String SESSIONS_BEFORE = "sessionsBefore";

    @Override
    public void beforeAll(ExtensionContext context) {
        PgEnvironment env = context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(PgEnvironment.class, key -> PgEnvironment.get(), PgEnvironment.class);
        context.getStore(NAMESPACE).put(SESSIONS_BEFORE, env.proxy().sessions().size());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        LeakWatch.assertNoLeaks(context.getDisplayName());
        int before = context.getStore(NAMESPACE).get(SESSIONS_BEFORE, Integer.class);
        PgEnvironment env = PgEnvironment.get();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (env.proxy().sessions().size() != before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int after = env.proxy().sessions().size();
        if (after != before) {
            throw new AssertionError("the shared proxy holds " + after + " sessions after " + context.getDisplayName()
                    + ", " + before + " before it: a closed session was not removed from the registry");
        }
    }
}

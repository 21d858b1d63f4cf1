package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmemo.proxy.testing.LeakWatch;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The leak check that runs after every class can actually see a leak. */
@ProxyTest
class LeakWatchTest {

    @Test
    void aDeliberateLeakIsReported() throws InterruptedException {
        String marker = "deliberate-leak-" + UUID.randomUUID();
        leakOneBuffer(marker);

        LeakWatch.collect();

        // take() also removes the report, so this class's own leak check stays green.
        assertThat(LeakWatch.take(marker)).singleElement().asString().contains("LEAK:");
    }

    private static void leakOneBuffer(String marker) {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(16);
        buffer.writeInt(42);
        buffer.touch(marker);
    }
}

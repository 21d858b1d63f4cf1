package io.pgmemo.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A running pgmemo samples no buffers for leaks unless the operator asks for a level. */
class LeakSamplingTest {
    private static final String PROPERTY = "io.netty.leakDetection.level";

    private ResourceLeakDetector.Level levelBefore;
    private String propertyBefore;

    @BeforeEach
    void remember() {
        levelBefore = ResourceLeakDetector.getLevel();
        propertyBefore = System.getProperty(PROPERTY);
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterEach
    void restore() {
        ResourceLeakDetector.setLevel(levelBefore);
        if (propertyBefore == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, propertyBefore);
        }
    }

    @Test
    void offWhenNoLevelIsAskedFor() {
        System.clearProperty(PROPERTY);
        PgmemoCommand.withoutLeakSampling();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void keptWhenALevelIsAskedFor() {
        System.setProperty(PROPERTY, "simple");
        PgmemoCommand.withoutLeakSampling();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }
}

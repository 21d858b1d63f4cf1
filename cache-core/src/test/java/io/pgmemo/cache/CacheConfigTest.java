package io.pgmemo.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

    @Test
    void defaultsFollowTheOriginalDesign() {
        CacheConfig config = CacheConfig.defaults();

        assertThat(config.ttl()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.memoryBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(config.file()).isEqualTo(Path.of("pgmemo-cache.duckdb"));
        assertThat(config.maxFileBytes()).isEqualTo(500L * 1024 * 1024);
        assertThat(config.maxEntryBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(config.catalogMaxAge()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void withersChangeOneSetting() {
        CacheConfig config = CacheConfig.defaults().withTtl(Duration.ofSeconds(5)).withMaxFileBytes(1000)
                .withCatalogMaxAge(Duration.ofSeconds(3));

        assertThat(config.ttl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.catalogMaxAge()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.maxFileBytes()).isEqualTo(1000);
        assertThat(config.memoryBytes()).isEqualTo(CacheConfig.DEFAULT_MEMORY_BYTES);
    }

    @Test
    void rejectsNonsense() {
        CacheConfig d = CacheConfig.defaults();
        assertThatThrownBy(() -> d.withTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMemoryBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxEntryBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withFile(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.withCatalogMaxAge(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}

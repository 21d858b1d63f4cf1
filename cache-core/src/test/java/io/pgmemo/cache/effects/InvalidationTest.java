package io.pgmemo.cache.effects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What statements together may have changed: data extents widen, catalog answers add up. */
class InvalidationTest {

    @Test
    void tablesAddUpAndAWiderExtentWins() {
        assertThat(Invalidation.tables(Set.of(1L)).and(Invalidation.tables(Set.of(2L))))
                .isEqualTo(Invalidation.tables(Set.of(1L, 2L)));
        assertThat(Invalidation.tables(Set.of(1L)).and(Invalidation.DATABASE)).isEqualTo(Invalidation.DATABASE);
        assertThat(Invalidation.NONE.and(Invalidation.NONE).isNone()).isTrue();
    }

    @Test
    void tablesMergeInOrderAndASetThatHoldsTheOtherIsKept() {
        Invalidation three = Invalidation.tables(List.of(9L, 1L, 5L));
        Invalidation merged = three.and(Invalidation.tables(Set.of(2L, 5L, 10L)));
        assertThat(merged.tableOids()).containsExactly(1L, 2L, 5L, 9L, 10L);
        assertThat(merged.tables()).containsExactlyInAnyOrder(1L, 2L, 5L, 9L, 10L);
        assertThat(merged.and(three)).isSameAs(merged);
        assertThat(Invalidation.tables(Set.of(5L)).and(merged)).isSameAs(merged);
    }

    @Test
    void aTransactionOfTooManyTablesDropsItsDatabase() {
        Invalidation many = Invalidation.tables(LongStream.rangeClosed(1, 1024).boxed().toList());
        assertThat(many.and(Invalidation.tables(Set.of(2000L)))).isEqualTo(Invalidation.DATABASE);
        assertThat(many.and(Invalidation.tables(Set.of(7L)))).isSameAs(many);
    }

    @Test
    void catalogAnswersAreKeptBesideTheDataExtent() {
        Invalidation both = Invalidation.tables(Set.of(1L)).and(Invalidation.ANSWERS);
        assertThat(both.extent()).isEqualTo(Invalidation.Extent.TABLES);
        assertThat(both.tables()).containsExactly(1L);
        assertThat(both.answers()).isTrue();
        assertThat(Invalidation.ANSWERS.and(Invalidation.tables(Set.of(1L)))).isEqualTo(both);
        assertThat(Invalidation.ANSWERS.and(Invalidation.NONE).isNone()).as("answers alone are something").isFalse();
        assertThat(Invalidation.ALL.and(Invalidation.ANSWERS).extent()).isEqualTo(Invalidation.Extent.ALL);
    }
}

package io.pgmemo.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A memo keeps what it is given up to its bound, then lets some go instead of dropping everything. */
class BoundedMemoTest {

    @Test
    void keepsAnswersAndStaysWithinItsBound() {
        BoundedMemo<Integer, String> memo = new BoundedMemo<>(100);
        memo.put(1, "one");
        assertThat(memo.get(1)).isEqualTo("one");
        assertThat(memo.get(2)).isNull();

        for (int i = 0; i < 10_000; i++) {
            memo.put(i, "n" + i);
        }

        assertThat(memo.size()).isBetween(1L, 100L);
    }

    @Test
    void aKeyAskedForOftenOutlivesOnesSeenOnce() {
        BoundedMemo<Integer, String> memo = new BoundedMemo<>(100);
        memo.put(-1, "hot");
        for (int i = 0; i < 10_000; i++) {
            assertThat(memo.get(-1)).as("after %d one-off answers", i).isEqualTo("hot");
            memo.put(i, "once");
        }
    }

    @Test
    void clearDropsEverything() {
        BoundedMemo<Integer, String> memo = new BoundedMemo<>(100);
        memo.put(1, "one");
        memo.clear();
        assertThat(memo.get(1)).isNull();
        assertThat(memo.size()).isZero();
    }
}

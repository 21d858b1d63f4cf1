package io.pgmemo.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which texts are a BEGIN that cannot fail in an idle session, and the tag PostgreSQL answers them with. */
class PlainBeginTest {

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "begin;", " Begin\tWork ;; ", "BEGIN TRANSACTION", "\nbegin\n"})
    void beginsAreTaggedBegin(String sql) {
        assertThat(PlainBegin.tagOf(sql)).isEqualTo("BEGIN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"START TRANSACTION", "start transaction;"})
    void startTransactionIsTaggedAsItIs(String sql) {
        assertThat(PlainBegin.tagOf(sql)).isEqualTo("START TRANSACTION");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ";", "START", "BEGIN WORK TRANSACTION", "BEGIN; BEGIN", "BEGIN; SELECT 1",
        "BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN READ WRITE", "START TRANSACTION READ ONLY", "BEGIN -- c",
        "BEGIN/* c */", "BEGIN\u2003WORK", "END", "COMMIT", "BEGINWORK"})
    void anythingElseIsNot(String sql) {
        assertThat(PlainBegin.tagOf(sql)).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {PlainBegin.MAX_LENGTH + 1, 200})
    void longTextsAreNotRead(int length) {
        assertThat(PlainBegin.tagOf("BEGIN" + " ".repeat(length - 5))).isNull();
    }
}

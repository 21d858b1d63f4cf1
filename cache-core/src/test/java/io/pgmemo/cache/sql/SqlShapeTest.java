package io.pgmemo.cache.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-pass shape of plain text must equal the lexer's shape whenever it gives one. */
class SqlShapeTest {

    @Test
    void pointLookupsShareAShapeWithoutTheLexer() {
        SqlShape first = SqlShape.plain("SELECT abalance FROM pgbench_accounts WHERE aid = 48213;", true);
        SqlShape second = SqlShape.plain("SELECT abalance FROM pgbench_accounts WHERE aid = 7;", true);
        assertNotNull(first);
        assertEquals("SELECT abalance FROM pgbench_accounts WHERE aid = ? ; ", first.text());
        assertEquals(first, second);
        assertEquals(SqlShape.lexed("SELECT abalance FROM pgbench_accounts WHERE aid = 7;", true), second);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "select 1 -- comment", "select /* c */ 1", "select E'a\\'b'", "select U&'d\\0061t'", "select 'a'\n'b'",
        "select \"Col\" from t", "select $1", "select $$x$$", "select 1e5", "select 0x1F", "select 1_000",
        "select .5", "select 1::int", "select a=-1", "select 'x' || 'y'", "select n'x'", "select é",
        "select 1..2", "select x'1f'", "select a @> b",
    })
    void leavesAnythingUnusualToTheLexer(String sql) {
        assertNull(SqlShape.plain(sql, true), sql);
        assertEquals(SqlShape.lexed(sql, true), SqlShape.of(sql, true));
    }

    @Test
    void backslashesArePlainOnlyWithStandardConformingStrings() {
        assertNotNull(SqlShape.plain("select 'a\\'", true));
        assertNull(SqlShape.plain("select 'a\\'", false));
    }

    @Test
    void timeLiteralsAreNoted() {
        assertTrue(SqlShape.plain("select * from t where d > 'now'", true).timeLiteral());
        assertTrue(SqlShape.plain("select * from t where d > 'TODAY 10:00'", true).timeLiteral());
        assertTrue(SqlShape.plain("select 'it''s now'", true).timeLiteral());
        assertFalse(SqlShape.plain("select 'nowhere'", true).timeLiteral());
    }

    /** Random texts over the characters and fragments where the two could disagree. */
    @Test
    void agreesWithTheLexerOnRandomText() {
        List<String> pieces = List.of("select", " ", "\n", "t", "_a$1", "a1", "1", "12.5", "1.", ".", "..", "'x'",
                "''", "'it''s'", "'now'", "'a\\'", "'", "(", ")", ",", ";", "[", "]", "=", "<", ">", "<=", ">=", "<>",
                "!=", "+", "-", "*", "/", "%", "--", "/*", "*/", "e", "E", "x", "&", "\"", "$", "0x", "_", "::", ":",
                "é", "\t", "~", "||", "'\n'");
        Random random = new Random(20261126);
        int plain = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sql = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int j = 0; j < n; j++) {
                sql.append(pieces.get(random.nextInt(pieces.size())));
            }
            for (boolean standard : new boolean[] {true, false}) {
                SqlShape shape = SqlShape.plain(sql.toString(), standard);
                if (shape != null) {
                    plain++;
                    assertEquals(SqlShape.lexed(sql.toString(), standard), shape, () -> "for: " + sql);
                }
            }
        }
        assertTrue(plain > 50_000, "the plain path was taken " + plain + " times");
    }
}

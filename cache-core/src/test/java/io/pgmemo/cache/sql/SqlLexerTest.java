package io.pgmemo.cache.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Lexical rules of PostgreSQL ("Lexical Structure", scan.l) as the lexer sees them. */
class SqlLexerTest {

    private static final SqlLexer STANDARD = new SqlLexer(true);
    private static final SqlLexer BACKSLASHES = new SqlLexer(false);

    /** Renders tokens as KIND:value, to compare whole token lists at a glance. */
    private static List<String> lex(SqlLexer lexer, String sql) {
        return lexer.tokenize(sql).stream().map(t -> t.kind() + ":" + t.value()).toList();
    }

    static Stream<Arguments> tokens() {
        return Stream.of(
                arguments(named("identifiers fold to lower case, quoted ones keep case", "SELECT MyCol, \"MyCol\""),
                        List.of("IDENTIFIER:select", "IDENTIFIER:mycol", "COMMA:,", "QUOTED_IDENTIFIER:MyCol")),
                arguments(named("doubled quote inside a quoted identifier", "\"a\"\"b\""),
                        List.of("QUOTED_IDENTIFIER:a\"b")),
                arguments(named("identifiers may contain $ and digits", "a$b1 _x"),
                        List.of("IDENTIFIER:a$b1", "IDENTIFIER:_x")),
                arguments(named("non-ASCII letters are identifier characters, not folded", "Ünïcode"),
                        List.of("IDENTIFIER:Ünïcode")),
                arguments(named("line and nested block comments vanish", "SELECT /* a /* nested; */ still */ 1 -- x;\n, 2"),
                        List.of("IDENTIFIER:select", "NUMBER:1", "COMMA:,", "NUMBER:2")),
                arguments(named("'' inside a string", "'it''s'"), List.of("STRING:it's")),
                arguments(named("backslash is literal in a standard string", "'a\\b'"), List.of("STRING:a\\b")),
                arguments(named("E'' escapes", "E'\\n\\x41\\101\\u00e9\\'q\\\\'"), List.of("STRING:\nAAé'q\\")),
                arguments(named("e'' lower case prefix", "e'x'"), List.of("STRING:x")),
                arguments(named("an identifier ending in e is not an E string", "type'x'"),
                        List.of("IDENTIFIER:type", "STRING:x")),
                arguments(named("N'' national string", "N'abc'"), List.of("STRING:abc")),
                arguments(named("U&'' with 4- and 6-digit escapes", "U&'d\\0061t\\+000061'"), List.of("STRING:data")),
                arguments(named("U&'' with UESCAPE", "U&'d!0061t' UESCAPE '!' x"), List.of("STRING:dat", "IDENTIFIER:x")),
                arguments(named("U&\"\" identifier", "U&\"d\\0061t\""), List.of("QUOTED_IDENTIFIER:dat")),
                arguments(named("bit strings", "B'1010' X'1F'"), List.of("BIT_STRING:1010", "BIT_STRING:1F")),
                arguments(named("quote continuation across a newline", "'n'\n  'ow'"), List.of("STRING:now")),
                arguments(named("quote continuation with a comment line", "'n' -- c\n -- d\n 'ow'"), List.of("STRING:now")),
                arguments(named("no continuation on the same line", "'a' 'b'"), List.of("STRING:a", "STRING:b")),
                arguments(named("dollar quoting", "$$it's $1 -- ; $$"), List.of("STRING:it's $1 -- ; ")),
                arguments(named("tagged dollar quoting holds $$", "$fn$ a $$ b $fn$"), List.of("STRING: a $$ b ")),
                arguments(named("positional parameters", "$1 + $12"),
                        List.of("PARAMETER:$1", "OPERATOR:+", "PARAMETER:$12")),
                arguments(named("numbers", "1 1.5 .5 1e10 2.5E-3 0x1F 1_000"),
                        List.of("NUMBER:1", "NUMBER:1.5", "NUMBER:.5", "NUMBER:1e10", "NUMBER:2.5E-3", "NUMBER:0x1F",
                                "NUMBER:1_000")),
                arguments(named("qualified name", "s.t"), List.of("IDENTIFIER:s", "DOT:.", "IDENTIFIER:t")),
                arguments(named("=- is = then - (SQL operators cannot end in -)", "a=-1"),
                        List.of("IDENTIFIER:a", "OPERATOR:=", "OPERATOR:-", "NUMBER:1")),
                arguments(named("@- keeps its - (contains a non-SQL character)", "a@-1"),
                        List.of("IDENTIFIER:a", "OPERATOR:@-", "NUMBER:1")),
                arguments(named("a comment start ends an operator", "1+--c\n2"),
                        List.of("NUMBER:1", "OPERATOR:+", "NUMBER:2")),
                arguments(named("casts, slices and named arguments", "x::int a[1:2] f(p := 1, q => 2)"),
                        List.of("IDENTIFIER:x", "OPERATOR:::", "IDENTIFIER:int", "IDENTIFIER:a", "LEFT_BRACKET:[",
                                "NUMBER:1", "OPERATOR::", "NUMBER:2", "RIGHT_BRACKET:]", "IDENTIFIER:f", "LEFT_PAREN:(",
                                "IDENTIFIER:p", "OPERATOR::=", "NUMBER:1", "COMMA:,", "IDENTIFIER:q", "OPERATOR:=>",
                                "NUMBER:2", "RIGHT_PAREN:)")),
                arguments(named("unterminated string is an error to the end", "SELECT 'abc"),
                        List.of("IDENTIFIER:select", "ERROR:unterminated quoted string")),
                arguments(named("unterminated block comment", "SELECT 1 /* /* */"),
                        List.of("IDENTIFIER:select", "NUMBER:1", "ERROR:unterminated /* comment")),
                arguments(named("empty quoted identifier", "\"\""), List.of("ERROR:zero-length delimited identifier")),
                arguments(named("lone $", "SELECT $"), List.of("IDENTIFIER:select", "ERROR:unexpected $")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void tokens(String sql, List<String> expected) {
        assertThat(lex(STANDARD, sql)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> standardConformingStringsOff() {
        return Stream.of(
                arguments(named("backslash-quote does not end the string", "'a\\'b'"), List.of("STRING:a'b")),
                arguments(named("backslash escapes are decoded", "'\\t'"), List.of("STRING:\t")),
                arguments(named("E'' is unchanged", "E'\\\\'"), List.of("STRING:\\")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void standardConformingStringsOff(String sql, List<String> expected) {
        assertThat(lex(BACKSLASHES, sql)).containsExactlyElementsOf(expected);
    }

    @Test
    void identifiersAreTruncatedTo63Bytes() {
        String longName = "a".repeat(70);
        String multibyte = "é".repeat(40);
        assertThat(STANDARD.tokenize(longName).get(0).value()).hasSize(63);
        assertThat(STANDARD.tokenize("\"" + multibyte + "\"").get(0).value()).isEqualTo("é".repeat(31));
    }

    @Test
    void tokensKeepSourceText() {
        Token t = STANDARD.tokenize("  E'a''b'  ").get(0);
        assertThat(t.text()).isEqualTo("E'a''b'");
        assertThat(t.start()).isEqualTo(2);
        assertThat(t.end()).isEqualTo(9);
    }

    static Stream<Arguments> splitStatements() {
        return Stream.of(
                arguments(named("two statements", "SELECT 1; SELECT 2"), List.of("SELECT 1", "SELECT 2")),
                arguments(named("trailing and empty statements are dropped", " SELECT 1;;  ; "), List.of("SELECT 1")),
                arguments(named("only comments", "-- nothing\n/* here */"), List.of()),
                arguments(named("semicolons in strings, identifiers, comments and dollar quotes",
                        "SELECT ';', \"a;b\" /* ; */ -- ;\n FROM t; SELECT $x$;$x$"),
                        List.of("SELECT ';', \"a;b\" /* ; */ -- ;\n FROM t", "SELECT $x$;$x$")),
                arguments(named("a backslash-quote ends a standard string", "SELECT 'a\\'; DELETE FROM t; --'"),
                        List.of("SELECT 'a\\'", "DELETE FROM t")),
                arguments(named("SQL-standard function body", "CREATE FUNCTION f() RETURNS int LANGUAGE sql "
                        + "BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT f()"),
                        List.of("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true "
                                + "THEN 1 END; SELECT 2; END", "SELECT f()")),
                arguments(named("BEGIN as a transaction is not a body", "BEGIN; CREATE TABLE begin_atomic (a int); COMMIT"),
                        List.of("BEGIN", "CREATE TABLE begin_atomic (a int)", "COMMIT")),
                arguments(named("rule actions in parentheses", "CREATE RULE r AS ON INSERT TO t DO INSTEAD "
                        + "(INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1"),
                        List.of("CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b "
                                + "VALUES (2))", "SELECT 1")),
                arguments(named("an unterminated string swallows the rest", "SELECT 1; SELECT 'x; DELETE FROM t"),
                        List.of("SELECT 1", "SELECT 'x; DELETE FROM t")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void splitStatements(String sql, List<String> expected) {
        assertThat(STANDARD.splitStatements(sql)).containsExactlyElementsOf(expected);
    }

    @Test
    void splitFollowsStandardConformingStringsOff() {
        assertThat(BACKSLASHES.splitStatements("SELECT 'a\\'; DELETE FROM t; --'"))
                .containsExactly("SELECT 'a\\'; DELETE FROM t; --'");
    }
}

package io.pgmemo.cache.sql;

import static io.pgmemo.cache.sql.StatementKind.CALL_OR_DO;
import static io.pgmemo.cache.sql.StatementKind.COPY_TO;
import static io.pgmemo.cache.sql.StatementKind.DDL;
import static io.pgmemo.cache.sql.StatementKind.EXPLAIN;
import static io.pgmemo.cache.sql.StatementKind.OTHER;
import static io.pgmemo.cache.sql.StatementKind.PRIVILEGE;
import static io.pgmemo.cache.sql.StatementKind.READ;
import static io.pgmemo.cache.sql.StatementKind.SESSION;
import static io.pgmemo.cache.sql.StatementKind.TEMPORARY_DDL;
import static io.pgmemo.cache.sql.StatementKind.TRANSACTION;
import static io.pgmemo.cache.sql.StatementKind.UNKNOWN;
import static io.pgmemo.cache.sql.StatementKind.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Statement kinds, write targets and cache blockers from real-world statement texts. */
class StatementClassifierTest {

    private static Classification classify(String sql) {
        return StatementClassifier.classify(sql, true);
    }

    private static Arguments kind(String sql, StatementKind kind) {
        String name = sql.isBlank() ? "(empty)" : sql.replace('\n', ' ');
        return arguments(named(name, sql), kind);
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                kind("SELECT 1", READ),
                kind("select * from users where id = $1", READ),
                kind("  /* leading */ -- comment\n SELECT a FROM t;", READ),
                kind("((SELECT 1))", READ),
                kind("(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1", READ),
                kind("VALUES (1, 'a'), (2, 'b')", READ),
                kind("TABLE users", READ),
                kind("WITH x AS (SELECT 1) SELECT * FROM x", READ),
                kind("WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT sum(n) FROM t", READ),
                kind("WITH t AS MATERIALIZED (SELECT 1), u AS NOT MATERIALIZED (SELECT 2) SELECT * FROM t, u", READ),
                kind("WITH RECURSIVE t(id, p) AS (SELECT 1, 0 UNION ALL SELECT id + 1, id FROM t) "
                        + "SEARCH DEPTH FIRST BY id SET ord CYCLE id SET is_cycle USING path SELECT * FROM t", READ),
                kind("SELECT 'FOR UPDATE', 'SELECT 1 INTO x', $$DELETE FROM t$$ -- FOR UPDATE\n FROM t", READ),
                kind("SELECT \"into\", \"for\" FROM t", READ),
                kind("SELECT substring(name FOR 3) FROM t", READ),
                kind("SELECT * FROM t FOR UPDATE", OTHER),
                kind("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED", OTHER),
                kind("SELECT * FROM t a JOIN u b ON a.id = b.id FOR SHARE OF a", OTHER),
                kind("select * from t for key share nowait", OTHER),
                kind("WITH x AS (SELECT * FROM t FOR UPDATE) SELECT * FROM x", OTHER),
                kind("SELECT * INTO new_table FROM t", WRITE),
                kind("SELECT * INTO TEMP TABLE tmp FROM t", WRITE),
                kind("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", WRITE),
                kind("WITH x AS (UPDATE t SET a = 1 RETURNING *), y AS (SELECT 1) SELECT * FROM x, y", WRITE),
                kind("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", WRITE),
                kind("WITH x AS (SELECT id FROM t) DELETE FROM u USING x WHERE u.id = x.id", WRITE),
                kind("SELECT * FROM (WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x) s", UNKNOWN),
                kind("(WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x)", UNKNOWN),
                kind("INSERT INTO t VALUES (1)", WRITE),
                kind("insert into t (a, b) select a, b from u on conflict (a) do update set b = excluded.b", WRITE),
                kind("UPDATE t SET a = a + 1 WHERE id = 1", WRITE),
                kind("DELETE FROM t WHERE id IN (SELECT id FROM u)", WRITE),
                kind("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a", WRITE),
                kind("TRUNCATE t", WRITE),
                kind("COPY t FROM STDIN", WRITE),
                kind("COPY t (a, b) FROM '/tmp/x.csv' WITH (FORMAT csv)", WRITE),
                kind("COPY t TO STDOUT", COPY_TO),
                kind("COPY (SELECT * FROM t) TO STDOUT WITH (FORMAT csv)", COPY_TO),
                kind("COPY (DELETE FROM t RETURNING *) TO STDOUT", WRITE),
                kind("EXPLAIN SELECT * FROM t", EXPLAIN),
                kind("EXPLAIN DELETE FROM t", EXPLAIN),
                kind("EXPLAIN ANALYZE SELECT * FROM t", EXPLAIN),
                kind("EXPLAIN ANALYZE DELETE FROM t", WRITE),
                kind("EXPLAIN ANALYSE VERBOSE UPDATE t SET a = 1", WRITE),
                kind("EXPLAIN VERBOSE ANALYZE INSERT INTO t VALUES (1)", WRITE),
                kind("EXPLAIN (ANALYZE, BUFFERS) INSERT INTO t VALUES (1)", WRITE),
                kind("EXPLAIN (COSTS off, ANALYZE true) DELETE FROM t", WRITE),
                kind("EXPLAIN (ANALYZE off) DELETE FROM t", EXPLAIN),
                kind("EXPLAIN (ANALYZE 'false', COSTS) DELETE FROM t", EXPLAIN),
                kind("EXPLAIN (FORMAT json, ANALYZE 1) DELETE FROM t", WRITE),
                kind("EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1", DDL),
                kind("EXPLAIN ANALYZE EXECUTE p(1)", SESSION),
                kind("CREATE TABLE t (id int)", DDL),
                kind("CREATE TEMP TABLE t (id int)", TEMPORARY_DDL),
                kind("create global temporary table if not exists t (id int primary key, v text default 'x');", TEMPORARY_DDL),
                kind("CREATE TABLE pg_temp.t (id int)", TEMPORARY_DDL),
                kind("CREATE TEMP TABLE pg_temp.t (id int) ON COMMIT DROP", TEMPORARY_DDL),
                kind("CREATE TEMP TABLE t AS SELECT f()", DDL),
                kind("CREATE TEMP TABLE t (id int GENERATED ALWAYS AS (1) STORED)", DDL),
                kind("CREATE TEMP TABLE public.t (id int)", DDL),
                kind("CREATE TABLE fz_a.t (id int)", DDL),
                kind("CREATE TEMP VIEW v AS SELECT 1", DDL),
                kind("DROP TABLE pg_temp.t", TEMPORARY_DDL),
                kind("DROP TABLE IF EXISTS pg_temp.a, \"pg_temp\".b RESTRICT;", TEMPORARY_DDL),
                kind("DROP TABLE pg_temp.t CASCADE", DDL),
                kind("DROP TABLE t", DDL),
                kind("DROP TABLE pg_temp.a, b", DDL),
                kind("DROP TABLE pg_temp_3.t", DDL),
                kind("DROP VIEW pg_temp.v", DDL),
                kind("CREATE OR REPLACE VIEW v AS SELECT 1", DDL),
                kind("ALTER TABLE t ADD COLUMN c int", DDL),
                kind("DROP TABLE t CASCADE", DDL),
                kind("COMMENT ON TABLE t IS 'x'", DDL),
                kind("REINDEX TABLE t", DDL),
                kind("CLUSTER t USING t_pkey", DDL),
                kind("VACUUM (ANALYZE) t", DDL),
                kind("ANALYZE t", DDL),
                kind("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", DDL),
                kind("SECURITY LABEL ON TABLE t IS 'secret'", DDL),
                kind("IMPORT FOREIGN SCHEMA s FROM SERVER srv INTO public", DDL),
                kind("CREATE USER MAPPING FOR bob SERVER srv", DDL),
                kind("GRANT SELECT ON t TO bob", PRIVILEGE),
                kind("REVOKE ALL ON t FROM PUBLIC", PRIVILEGE),
                kind("CREATE ROLE bob LOGIN", PRIVILEGE),
                kind("ALTER ROLE bob BYPASSRLS", PRIVILEGE),
                kind("ALTER USER bob SET search_path = x", PRIVILEGE),
                kind("DROP ROLE bob", PRIVILEGE),
                kind("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO bob", PRIVILEGE),
                kind("CREATE POLICY p ON t USING (owner = current_user)", PRIVILEGE),
                kind("ALTER POLICY p ON t USING (true)", PRIVILEGE),
                kind("DROP POLICY p ON t", PRIVILEGE),
                kind("ALTER TABLE t ENABLE ROW LEVEL SECURITY", PRIVILEGE),
                kind("ALTER TABLE t FORCE ROW LEVEL SECURITY", PRIVILEGE),
                kind("ALTER TABLE t OWNER TO bob", PRIVILEGE),
                kind("REASSIGN OWNED BY bob TO alice", PRIVILEGE),
                kind("DROP OWNED BY bob", PRIVILEGE),
                kind("SET search_path = a, b", SESSION),
                kind("SET LOCAL statement_timeout = 0", SESSION),
                kind("SET ROLE bob", SESSION),
                kind("SET SESSION AUTHORIZATION bob", SESSION),
                kind("RESET ALL", SESSION),
                kind("DISCARD ALL", SESSION),
                kind("LOAD 'auto_explain'", SESSION),
                kind("PREPARE p AS SELECT 1", SESSION),
                kind("EXECUTE p", SESSION),
                kind("DEALLOCATE ALL", SESSION),
                kind("LISTEN ch", SESSION),
                kind("UNLISTEN *", SESSION),
                kind("NOTIFY ch, 'x'", SESSION),
                kind("BEGIN", TRANSACTION),
                kind("BEGIN ISOLATION LEVEL SERIALIZABLE", TRANSACTION),
                kind("START TRANSACTION READ ONLY", TRANSACTION),
                kind("COMMIT", TRANSACTION),
                kind("END", TRANSACTION),
                kind("ROLLBACK", TRANSACTION),
                kind("ABORT", TRANSACTION),
                kind("SAVEPOINT s1", TRANSACTION),
                kind("RELEASE SAVEPOINT s1", TRANSACTION),
                kind("ROLLBACK TO SAVEPOINT s1", TRANSACTION),
                kind("PREPARE TRANSACTION 'tx1'", TRANSACTION),
                kind("COMMIT PREPARED 'tx1'", TRANSACTION),
                kind("ROLLBACK PREPARED 'tx1'", TRANSACTION),
                kind("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", TRANSACTION),
                kind("SET CONSTRAINTS ALL DEFERRED", TRANSACTION),
                kind("CALL p(1)", CALL_OR_DO),
                kind("DO $$BEGIN DELETE FROM t; END$$", CALL_OR_DO),
                kind("SHOW search_path", OTHER),
                kind("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", OTHER),
                kind("DECLARE c CURSOR FOR SELECT * FROM t", OTHER),
                kind("FETCH 10 FROM c", OTHER),
                kind("", OTHER),
                kind("-- only a comment", OTHER),
                kind("SELECT 'unterminated", UNKNOWN),
                kind("SELECT 1; DELETE FROM t", UNKNOWN),
                kind("FROBNICATE t", UNKNOWN),
                kind("\"select\" 1", UNKNOWN),
                kind("SELECT (update) FROM t", UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void kinds(String sql, StatementKind expected) {
        assertThat(classify(sql).kind()).isEqualTo(expected);
    }

    private static Arguments targets(String sql, List<String> targets, boolean elsewhere) {
        return arguments(named(sql, sql), targets, elsewhere);
    }

    static Stream<Arguments> writeTargets() {
        return Stream.of(
                targets("INSERT INTO t VALUES (1)", List.of("t"), false),
                targets("INSERT INTO app.\"Orders\" AS o (id) VALUES (1)", List.of("app.Orders"), false),
                targets("UPDATE ONLY s.t SET a = 1 FROM u WHERE u.id = t.id", List.of("s.t"), false),
                targets("UPDATE t * SET a = 1", List.of("t"), false),
                targets("DELETE FROM mydb.s.t WHERE true", List.of("s.t"), false),
                targets("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)", List.of("t"), false),
                targets("TRUNCATE TABLE a, ONLY b, c *", List.of("a", "b", "c"), false),
                targets("TRUNCATE a RESTART IDENTITY CASCADE", List.of("a"), true),
                targets("COPY s.t (a) FROM STDIN", List.of("s.t"), false),
                targets("COPY (UPDATE t SET a = 1 RETURNING a) TO STDOUT", List.of("t"), false),
                targets("WITH d AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM d", List.of("b", "a"), false),
                targets("WITH d AS (WITH e AS (DELETE FROM a RETURNING *) SELECT * FROM e) UPDATE c SET x = 1",
                        List.of("c", "a"), false),
                targets("EXPLAIN ANALYZE DELETE FROM t", List.of("t"), false),
                targets("SELECT * INTO UNLOGGED TABLE x FROM t", List.of("x"), true),
                targets("SELECT 1", List.of(), false),
                targets("DO $$ BEGIN END $$", List.of(), true),
                targets("EXECUTE p", List.of(), true),
                targets("COMMIT PREPARED 'x'", List.of(), true),
                targets("ALTER TABLE t ADD c int", List.of(), true),
                targets("GRANT SELECT ON t TO bob", List.of(), true),
                targets("SELECT (delete) FROM t", List.of(), true),
                targets("UPDATE", List.of(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void writeTargets(String sql, List<String> targets, boolean mayWriteElsewhere) {
        Classification c = classify(sql);
        assertThat(c.writeTargets()).map(QualifiedName::toString).containsExactlyElementsOf(targets);
        assertThat(c.mayWriteElsewhere()).isEqualTo(mayWriteElsewhere);
    }

    private static Arguments calls(String sql, List<String> calls) {
        return arguments(named(sql, sql), calls);
    }

    /** Function calls (name/argument count), without attribute notation. */
    static Stream<Arguments> functionCalls() {
        return Stream.of(
                calls("SELECT count(*), max(a), now() FROM t", List.of("count/1", "max/1", "now/0")),
                calls("SELECT s.f(1, g(2, 3)), \"MixedCase\"()", List.of("s.f/2", "g/2", "MixedCase/0")),
                calls("SELECT coalesce(a, 1), nullif(a, 2), greatest(1, 2), least(1, 2), "
                        + "CAST(a AS numeric(10, 2)), a::varchar(5), a::character varying(5), extract(year FROM d), "
                        + "substring(a FROM 1 FOR 2), position('a' IN b), trim(both ' ' FROM a), row(1, 2), "
                        + "ARRAY(SELECT 1), EXISTS (SELECT 1), a IN (1, 2), a = ANY (b), "
                        + "'1'::interval second(0), xmlelement(name x) FROM t", List.of()),
                calls("SELECT left(a, 2), right(a, 1), current_schema(), format('%s', a) FROM t",
                        List.of("left/2", "right/2", "current_schema/0", "format/2")),
                calls("SELECT sum(x) FILTER (WHERE x > 0) OVER (PARTITION BY y ORDER BY (z)), "
                        + "percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t GROUP BY GROUPING SETS ((a), (b)), "
                        + "ROLLUP (c), CUBE (d)", List.of("sum/1", "percentile_cont/1")),
                calls("SELECT cube(1, 2)", List.of("cube/2")),
                calls("SELECT filter(1), over(2), sets(3), second(4), zone(5), by(6)",
                        List.of("filter/1", "over/1", "sets/1", "second/1", "zone/1", "by/1")),
                calls("SELECT a SIMILAR TO second(b), a AT TIME ZONE zone(b) FROM t ORDER BY by(c)",
                        List.of("second/1", "zone/1", "by/1")),
                calls("SELECT '1'::interval day to second(3), x::interval minute to second (0)", List.of()),
                calls("SELECT * FROM generate_series(1, 3) g(x), unnest(a) AS u(y) JOIN t z(q) ON true",
                        List.of("generate_series/2", "unnest/1")),
                calls("SELECT * FROM unnest(a) WITH ORDINALITY AS t(x, n)", List.of("unnest/1")),
                calls("WITH RECURSIVE r(n) AS (SELECT 1), s(m) AS NOT MATERIALIZED (SELECT 2) SELECT f(n) FROM r, s",
                        List.of("f/1")),
                calls("SELECT * FROM (WITH x(a) AS (SELECT 1) SELECT a FROM x) y", List.of()),
                calls("SELECT DISTINCT ON (a) f(a) FROM t", List.of("f/1")),
                calls("SELECT a OPERATOR(pg_catalog.+) f(b) FROM t", List.of("f/1")),
                calls("SELECT * FROM t ORDER BY a FETCH FIRST (5) ROWS ONLY", List.of()),
                calls("SELECT a AT TIME ZONE ('UTC') FROM t", List.of()),
                calls("SELECT f(a => 1, b => 2), g(VARIADIC ARRAY[1, 2])", List.of("f/2", "g/1")),
                calls("SELECT current_time(3), localtimestamp(0)", List.of()),
                calls("INSERT INTO t (a) VALUES (f(1)) RETURNING g(a)", List.of("f/1", "g/1")),
                calls("INSERT INTO s.t (a, b) SELECT x, f(y) FROM u", List.of("f/1")),
                calls("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, "
                        + "CURRENT_TIMESTAMP)", List.of()),
                calls("COPY t (a, b) FROM STDIN", List.of()),
                calls("SELECT * INTO TEMP t FROM f(1) AS x", List.of("f/1")),
                calls("SELECT copy(2), f(x) FROM t", List.of("copy/1", "f/1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void functionCalls(String sql, List<String> expected) {
        List<String> calls = classify(sql).functionCalls().stream()
                .filter(c -> !c.attributeNotation()).map(FunctionCall::toString).toList();
        assertThat(calls).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void attributeNotationIsAPossibleCall() {
        Classification c = classify("SELECT p.full_name, (p).age FROM people p");
        assertThat(c.functionCalls()).contains(
                new FunctionCall(QualifiedName.unqualified("full_name"), 1, true),
                new FunctionCall(QualifiedName.unqualified("age"), 1, true));
    }

    private static Arguments relations(String sql, List<String> present, List<String> absent) {
        return arguments(named(sql, sql), present, absent);
    }

    static Stream<Arguments> relationNames() {
        return Stream.of(
                relations("SELECT a.x, b.y FROM s.t a JOIN u b USING (id), v, \"W\"",
                        List.of("s.t", "u", "v", "W", "a.x", "b.y"), List.of("select", "from", "join", "using")),
                relations("TABLE ONLY orders", List.of("orders"), List.of("only")),
                relations("SELECT * FROM db.s.t", List.of("db.s", "s.t"), List.of()),
                relations("SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE EXISTS (SELECT 1 FROM w))",
                        List.of("t", "u", "w", "id"), List.of("exists")),
                relations("WITH x AS (SELECT * FROM base) SELECT * FROM x", List.of("base", "x"), List.of()),
                relations("SELECT * FROM generate_series(1, 2) g", List.of("g"), List.of("generate_series")),
                relations("SELECT t.* FROM t", List.of("t"), List.of()),
                relations("SELECT * FROM \"select\"", List.of("select"), List.of()),
                relations("SELECT * FROM data, key, value", List.of("data", "key", "value"), List.of()),
                relations("SELECT x::pg_catalog.int4, CAST(y AS public.t), z AS w FROM u AS v", List.of("u"),
                        List.of("pg_catalog.int4", "public.t", "w", "v")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void relationNames(String sql, List<String> present, List<String> absent) {
        List<String> names = classify(sql).relationNames().stream().map(QualifiedName::toString).toList();
        assertThat(names).containsAll(present);
        assertThat(names).noneMatch(absent::contains);
    }

    private static Arguments blocker(String sql, String blocker) {
        return arguments(named(sql, sql), blocker);
    }

    static Stream<Arguments> blockers() {
        return Stream.of(
                blocker("SELECT * FROM pg_temp.t", "mentions pg_temp"),
                blocker("SELECT * FROM \"pg_temp_3\".t", "mentions pg_temp"),
                blocker("SELECT 'pg_temp.t'::regclass", "mentions pg_temp"),
                blocker("SELECT nextval('s')", "calls nextval"),
                blocker("SELECT currval('s'), setval('s', 1)", "calls currval"),
                blocker("SELECT random()", "calls random"),
                blocker("SELECT * FROM t TABLESAMPLE SYSTEM (10)", "TABLESAMPLE"),
                blocker("SELECT * FROM t FOR UPDATE", "locking clause"),
                blocker("SELECT lock FROM t", "mentions LOCK"),
                blocker("SELECT system_user", "system_user depends on the authentication method"),
                blocker("SELECT * INTO x FROM t", "SELECT INTO"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void blockers(String sql, String blocker) {
        Classification c = classify(sql);
        assertThat(c.blockers()).contains(blocker);
        assertThat(c.isCacheCandidate()).isFalse();
    }

    static Stream<Arguments> cacheCandidates() {
        return Stream.of(
                arguments(named("plain select", "SELECT a, b FROM t WHERE c = $1 ORDER BY a LIMIT 10")),
                arguments(named("FOR UPDATE only inside a string", "SELECT 'x FOR UPDATE' FROM t")),
                arguments(named("a column called update", "SELECT t.update FROM t")),
                arguments(named("for in substring", "SELECT substring(a FOR 2) FROM t")),
                arguments(named("snowflake is not now", "SELECT * FROM t WHERE name = 'snowflake'")),
                arguments(named("CTE", "WITH x AS (SELECT * FROM t) SELECT * FROM x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void cacheCandidates(String sql) {
        Classification c = classify(sql);
        assertThat(c.blockers()).isEmpty();
        assertThat(c.isCacheCandidate()).isTrue();
        assertThat(c.timeDependent()).isFalse();
    }

    static Stream<Arguments> timeDependent() {
        return Stream.of(
                arguments(named("current_date", "SELECT * FROM t WHERE d = current_date")),
                arguments(named("CURRENT_TIMESTAMP(3)", "SELECT CURRENT_TIMESTAMP(3)")),
                arguments(named("localtime", "SELECT localtime")),
                arguments(named("'now' cast", "SELECT 'now'::timestamptz")),
                arguments(named("typed 'today' literal", "SELECT date 'today'")),
                arguments(named("' Tomorrow ' with blanks", "SELECT * FROM t WHERE d < ' Tomorrow '")),
                arguments(named("'yesterday' in E string", "SELECT E'yesterday'::date")),
                arguments(named("dollar-quoted now", "SELECT $$now$$::timestamp")),
                arguments(named("U& escaped now", "SELECT U&'\\006Eow'::timestamp")),
                arguments(named("continued 'n' 'ow'", "SELECT 'n'\n'ow'::timestamp")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void timeDependent(String sql) {
        assertThat(classify(sql).timeDependent()).isTrue();
    }

    @Test
    void sessionKeyWordsAreReported() {
        Classification c = classify("SELECT current_user, session_user, user, current_role, current_catalog, "
                + "current_schema, current_date");
        assertThat(c.sqlValueFunctions()).containsExactlyInAnyOrder("current_user", "session_user", "user",
                "current_role", "current_catalog", "current_schema", "current_date");
        assertThat(c.relationNames()).isEmpty();
    }

    @Test
    void operatorsAreReported() {
        Classification c = classify("SELECT a::int, b @> c, d OPERATOR(myschema.===) e FROM t WHERE x <> -1");
        assertThat(c.operators()).containsExactlyInAnyOrder("@>", "===", "<>", "-");
    }

    @Test
    void standardConformingStringsOffChangesWhereStringsEnd() {
        String sql = "SELECT 'a\\' FOR UPDATE --'";
        assertThat(StatementClassifier.classify(sql, true).kind()).isEqualTo(OTHER);
        assertThat(StatementClassifier.classify(sql, false).kind()).isEqualTo(READ);
    }

    @Test
    void classifyAllSplitsSimpleQueries() {
        List<Classification> all = StatementClassifier.classifyAll("BEGIN; SELECT 1; UPDATE t SET a = 1; COMMIT", true);
        assertThat(all).extracting(Classification::kind).containsExactly(TRANSACTION, READ, WRITE, TRANSACTION);
    }

    @Test
    void catalogChangesAreFlagged() {
        assertThat(classify("CREATE INDEX ON t (a)").changesCatalog()).isTrue();
        assertThat(classify("GRANT SELECT ON t TO bob").changesCatalog()).isTrue();
        assertThat(classify("SELECT * INTO x FROM t").changesCatalog()).isTrue();
        assertThat(classify("INSERT INTO t VALUES (1)").changesCatalog()).isFalse();
        assertThat(classify("SELECT 1").changesCatalog()).isFalse();
    }
}

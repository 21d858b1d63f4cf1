package io.pgmemo.cache.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementClassifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Catalog look-ups against a real PostgreSQL holding the objects of catalog-fixture.sql. */
class PgCatalogTest {

    private static final String SUPERUSER = "postgres";
    private static CatalogConnector connector;
    private static JdbcCatalog catalog;

    @BeforeAll
    static void startDatabase() throws Exception {
        connector = SharedPostgres.database("catalog_test", "catalog-fixture.sql");
        catalog = new JdbcCatalog(connector, CatalogRules.defaults());
    }

    @AfterAll
    static void closeCatalog() throws SQLException {
        catalog.close();
    }

    private static Classification classify(String sql) {
        return StatementClassifier.classify(sql, true);
    }

    private static Set<Long> oids(List<String> relations) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (Connection c = connector.connect();
             PreparedStatement ps = c.prepareStatement("SELECT ?::regclass::oid::int8")) {
            for (String relation : relations) {
                ps.setString(1, relation);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    private static Arguments read(String description, String sql, String searchPath, String role, List<String> dependsOn) {
        return arguments(named(description, sql), searchPath, role, dependsOn);
    }

    static Stream<Arguments> cacheableReads() {
        return Stream.of(
                read("a table", "SELECT * FROM orders WHERE id = $1", "public", SUPERUSER, List.of("orders")),
                read("a join, aliases and columns ignored", "SELECT o.id, c.name FROM orders o JOIN customers c "
                        + "ON c.id = o.customer", "\"$user\", public", SUPERUSER, List.of("orders", "customers")),
                read("search_path a", "SELECT * FROM t", "a", SUPERUSER, List.of("a.t")),
                read("search_path b: same text, other table", "SELECT * FROM t", "b, a", SUPERUSER, List.of("b.t")),
                read("a schema without USAGE is skipped", "SELECT * FROM t", "hidden, a", "app", List.of("a.t")),
                read("the superuser may use it", "SELECT * FROM t", "hidden, a", SUPERUSER, List.of("hidden.t")),
                read("$user expands to the role", "SELECT * FROM t", "\"$user\", b", "app", List.of("app.t")),
                read("no schema for $user", "SELECT * FROM t", "\"$user\", b", SUPERUSER, List.of("b.t")),
                read("qualified names ignore the path", "SELECT * FROM a.t JOIN b.t USING (id)", "public", SUPERUSER,
                        List.of("a.t", "b.t")),
                read("a view and its base tables", "SELECT * FROM order_totals", "public", SUPERUSER,
                        List.of("order_totals", "orders", "customers")),
                read("nested views", "SELECT * FROM big_spenders", "public", SUPERUSER,
                        List.of("big_spenders", "order_totals", "orders", "customers")),
                read("a materialized view (its now() ran at refresh)", "SELECT * FROM order_snapshot", "public",
                        SUPERUSER, List.of("order_snapshot", "orders")),
                read("a partitioned table and its partitions", "SELECT * FROM measurements", "public", SUPERUSER,
                        List.of("measurements", "measurements_1", "measurements_2")),
                read("row level security on current_user", "SELECT * FROM docs", "public", SUPERUSER, List.of("docs")),
                read("a policy reads another table", "SELECT * FROM shared_docs", "public", SUPERUSER,
                        List.of("shared_docs", "acl")),
                read("safe functions and aggregates", "SELECT lower(name), count(*), plus_one(id), "
                        + "to_char(id, '999'), age('2020-01-01'::timestamp, '2019-06-01') FROM customers GROUP BY 1, 3, 4",
                        "public", SUPERUSER, List.of("customers")),
                read("a function found through the path", "SELECT only_in_a(1)", "a", SUPERUSER, List.of()),
                read("attribute notation of an immutable function", "SELECT c.full_name FROM customers c",
                        "public", SUPERUSER, List.of("customers")),
                read("qualified type names are not relations", "SELECT id::pg_catalog.int8, "
                        + "CAST(c AS public.customers) FROM customers AS c", "public", SUPERUSER, List.of("customers")),
                read("built-in operators", "SELECT * FROM orders WHERE amount >= 10 AND id <> 3", "public",
                        SUPERUSER, List.of("orders")),
                read("unknown unqualified names are columns", "SELECT no_such_column FROM orders", "public",
                        SUPERUSER, List.of("orders")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void cacheableReads(String sql, String searchPath, String role, List<String> dependsOn) throws SQLException {
        ReadVerdict verdict = catalog.checkRead(classify(sql), searchPath, role);
        assertThat(verdict.reason()).isNull();
        assertThat(verdict.cacheable()).isTrue();
        assertThat(verdict.relationOids()).containsExactlyInAnyOrderElementsOf(oids(dependsOn));
    }

    private static Arguments refused(String sql, String reason) {
        return arguments(named(sql, sql), reason);
    }

    static Stream<Arguments> refusedReads() {
        return Stream.of(
                refused("SELECT * FROM scratch", "unlogged relation public.scratch"),
                refused("SELECT * FROM remote_items", "foreign table public.remote_items"),
                refused("SELECT last_value FROM seq", "sequence public.seq"),
                refused("SELECT relname FROM pg_class", "system catalog pg_catalog.pg_class"),
                refused("SELECT * FROM information_schema.tables", "system catalog information_schema.tables"),
                refused("SELECT * FROM catalog_view", "system catalog pg_catalog.pg_class"),
                refused("SELECT * FROM recent_orders", "time-dependent function pg_catalog.now"),
                refused("SELECT * FROM todays_orders", "definition of public.todays_orders is time-dependent"),
                refused("SELECT * FROM xml_export", "VOLATILE function pg_catalog.query_to_xml"),
                refused("SELECT * FROM tenant_docs", "session- or server-dependent function pg_catalog.current_setting"),
                refused("SELECT * FROM a.missing", "a.missing names a schema but no relation in it"),
                refused("SELECT now()", "time-dependent function pg_catalog.now"),
                refused("SELECT age(now()::timestamp)", "time-dependent function pg_catalog.age"),
                refused("SELECT current_setting('app.tenant')", "session- or server-dependent function"),
                refused("SELECT pg_backend_pid()", "session- or server-dependent function"),
                refused("SELECT pg_stat_get_numscans(1)", "session- or server-dependent function"),
                refused("SELECT table_to_xml('orders', true, false, '')", "session- or server-dependent function"),
                refused("SELECT lookup_name(1)", "STABLE function outside pg_catalog may read any table: public.lookup_name"),
                refused("SELECT roll(1)", "VOLATILE function public.roll"),
                refused("SELECT as_owner(1)", "SECURITY DEFINER function public.as_owner"),
                refused("SELECT no_such_function(1)", "unknown function no_such_function"),
                refused("SELECT only_in_a(1)", "unknown function only_in_a"),
                refused("SELECT volatile_sum(id) FROM orders", "VOLATILE function public.volatile_step"),
                refused("SELECT c.nosy FROM customers c", "VOLATILE function public.nosy"),
                refused("SELECT * FROM orders WHERE id === 1", "VOLATILE function public.volatile_eq"),
                refused("SELECT * FROM orders WHERE created > 'now'", "time-dependent"),
                refused("SELECT * FROM orders FOR UPDATE", "not a read: OTHER"),
                refused("SELECT nextval('seq')", "calls nextval"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedReads(String sql, String reason) {
        ReadVerdict verdict = catalog.checkRead(classify(sql), "public", SUPERUSER);
        assertThat(verdict.cacheable()).isFalse();
        assertThat(verdict.reason()).contains(reason);
        assertThat(verdict.relationOids()).isEmpty();
    }

    @Test
    void rulesMayAllowSystemCatalogsAndTimeFunctions() throws SQLException {
        JdbcCatalog lenient = new JdbcCatalog(connector, new CatalogRules(true, true, Duration.ofMinutes(1)));
        try (lenient) {
            ReadVerdict catalogs = lenient.checkRead(classify("SELECT relname FROM pg_class"), "public", SUPERUSER);
            assertThat(catalogs.relationOids()).containsExactlyElementsOf(oids(List.of("pg_catalog.pg_class")));
            assertThat(lenient.checkRead(classify("SELECT now(), current_date"), "public", SUPERUSER).cacheable())
                    .isTrue();
            assertThat(lenient.checkRead(classify("SELECT pg_backend_pid()"), "public", SUPERUSER).cacheable())
                    .isFalse();
        }
    }

    @Test
    void keptAnswersServeWithoutTheServer() throws SQLException {
        Classification read = classify("SELECT * FROM big_spenders");
        try (JdbcCatalog fresh = new JdbcCatalog(connector, CatalogRules.defaults())) {
            assertThat(fresh.checkReadIfKnown(read, "public", SUPERUSER)).isEmpty();
            ReadVerdict looked = fresh.checkRead(read, "public", SUPERUSER);
            assertThat(fresh.checkReadIfKnown(read, "public", SUPERUSER)).contains(looked);
            assertThat(fresh.checkReadIfKnown(read, "public", "app")).isEmpty();
            fresh.invalidate();
            assertThat(fresh.checkReadIfKnown(read, "public", SUPERUSER)).isEmpty();
        }
    }

    @Test
    void anyTemporaryRelationOfTheNameRefuses() throws SQLException {
        try (JdbcCatalog fresh = new JdbcCatalog(connector, CatalogRules.defaults());
             Connection other = connector.connect(); Statement s = other.createStatement()) {
            s.execute("CREATE TEMP TABLE customers (id int)");
            ReadVerdict verdict = fresh.checkRead(classify("SELECT * FROM customers"), "public", SUPERUSER);
            assertThat(verdict.cacheable()).isFalse();
            assertThat(verdict.reason()).startsWith("customers may resolve to a temporary relation");
            assertThat(fresh.checkRead(classify("SELECT * FROM public.customers"), "public", SUPERUSER).cacheable())
                    .isTrue();
        }
    }

    @Test
    void aLookUpForAnUnknownRoleFailsOnTheServer() {
        assertThat(catalog.checkRead(classify("SELECT * FROM orders"), "public", "no_such_role").reason())
                .startsWith("catalog look-up failed");
        assertThat(catalog.checkRead(classify("SELECT * FROM orders"), "public", null).cacheable()).isFalse();
    }

    /** Look-ups are batched per kind of answer, and none is needed again once kept. */
    @Test
    void aReadOfATableTakesAFewLookUpsOnce() throws SQLException {
        try (JdbcCatalog fresh = new JdbcCatalog(connector, CatalogRules.defaults())) {
            Classification read = classify("SELECT o.id, lower(c.name) FROM orders o JOIN customers c ON c.id = o.customer"
                    + " WHERE o.amount >= 10");
            assertThat(fresh.checkRead(read, "public", SUPERUSER).cacheable()).isTrue();
            assertThat(fresh.lookUpsRun()).isBetween(4, 8);
            assertThat(fresh.checkRead(read, "public", SUPERUSER).cacheable()).isTrue();
            assertThat(fresh.lookUpsRun()).isZero();
        }
    }

    /** The session's own search_path does not change what the catalog SQL means. */
    @Test
    void lookUpsIgnoreTheSessionsSearchPath() throws SQLException {
        CatalogConnector odd = () -> {
            Connection c = connector.connect();
            try (Statement s = c.createStatement()) {
                s.execute("SET search_path = a, b, pg_catalog");
            }
            return c;
        };
        try (JdbcCatalog fresh = new JdbcCatalog(odd, CatalogRules.defaults())) {
            ReadVerdict verdict = fresh.checkRead(classify("SELECT * FROM big_spenders"), "public", SUPERUSER);
            assertThat(verdict.relationOids())
                    .containsExactlyInAnyOrderElementsOf(oids(List.of("big_spenders", "order_totals", "orders", "customers")));
        }
    }

    @Test
    void answersAreKeptUntilInvalidatedOrTooOld() throws SQLException {
        AtomicLong clock = new AtomicLong();
        Classification read = classify("SELECT * FROM late_table");
        try (JdbcCatalog memo = new JdbcCatalog(connector, new CatalogRules(false, false, Duration.ofSeconds(10)), clock::get);
             Connection c = connector.connect(); Statement s = c.createStatement()) {
            assertThat(memo.checkRead(read, "public", SUPERUSER).relationOids()).isEmpty();
            s.execute("CREATE TABLE late_table (id int)");
            try {
                assertThat(memo.checkRead(read, "public", SUPERUSER).relationOids()).isEmpty();
                memo.invalidate();
                Set<Long> late = oids(List.of("late_table"));
                assertThat(memo.checkRead(read, "public", SUPERUSER).relationOids()).isEqualTo(late);

                s.execute("CREATE UNLOGGED TABLE a.late_table (id int)");
                assertThat(memo.checkRead(read, "a, public", SUPERUSER).cacheable()).isTrue();
                clock.addAndGet(Duration.ofSeconds(11).toNanos());
                assertThat(memo.checkRead(read, "a, public", SUPERUSER).reason()).startsWith("unlogged relation");
            } finally {
                s.execute("DROP TABLE late_table; DROP TABLE a.late_table");
            }
        }
    }

    private static Arguments write(String sql, String searchPath, List<String> written) {
        return arguments(named(sql + " [" + searchPath + "]", sql), searchPath, written);
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                write("INSERT INTO t VALUES (1)", "a", List.of("a.t")),
                write("INSERT INTO t VALUES (1)", "b, a", List.of("a.t", "b.t")),
                write("UPDATE b.t SET v = 'x'", "a", List.of("b.t")),
                write("DELETE FROM orders WHERE id = 1", "public", List.of("orders", "order_lines")),
                write("TRUNCATE customers", "public", List.of("customers")),
                write("UPDATE measurements SET k = 2", "public", List.of("measurements", "measurements_1", "measurements_2")),
                write("UPDATE customer_names SET name = 'x'", "public", List.of("customer_names", "customers")),
                write("WITH d AS (DELETE FROM acl RETURNING *) INSERT INTO docs SELECT doc, member FROM d", "public",
                        List.of("acl", "docs")),
                write("EXPLAIN ANALYZE UPDATE docs SET owner = 'x'", "public", List.of("docs")),
                write("COPY customers FROM STDIN", "public", List.of("customers")),
                write("SELECT nextval('seq'), lower('X')", "public", List.of()),
                write("SELECT * FROM order_totals", "public", List.of()),
                write("SET search_path = a", "public", List.of()),
                write("INSERT INTO sequenced DEFAULT VALUES", "public", List.of("sequenced")),
                write("INSERT INTO t VALUES (1)", null, List.of("a.t", "b.t", "app.t", "hidden.t")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void writes(String sql, String searchPath, List<String> written) throws SQLException {
        WriteScope scope = catalog.tablesTouched(classify(sql), searchPath, SUPERUSER);
        assertThat(scope.reason()).isNull();
        assertThat(scope.wholeDatabase()).isFalse();
        assertThat(scope.relationOids()).containsExactlyInAnyOrderElementsOf(oids(written));
    }

    static Stream<Arguments> writesToTheWholeDatabase() {
        return Stream.of(
                refused("INSERT INTO audited VALUES (1)", "public.audited has triggers or rules"),
                refused("INSERT INTO remote_items VALUES (1)", "public.remote_items is a foreign table"),
                refused("INSERT INTO defaulted (id) VALUES (1)", "default or constraint that calls a function"),
                refused("UPDATE checked SET id = 2", "default or constraint that calls a function"),
                refused("INSERT INTO domained VALUES (1)", "default or constraint that calls a function"),
                refused("DELETE FROM policed", "default or constraint that calls a function"),
                refused("SELECT count(*) FROM policed", "default or constraint that calls a function"),
                refused("SELECT count(*) FROM policed_view", "default or constraint that calls a function"),
                refused("INSERT INTO ruled VALUES (1)", "public.ruled has triggers or rules"),
                refused("INSERT INTO nowhere VALUES (1)", "write target nowhere not found"),
                refused("SELECT add_customer()", "calls public.add_customer, which may write"),
                refused("SELECT * FROM adding_view", "calls a function that may write"),
                refused("SELECT doc FROM xml_export", "calls pg_catalog.query_to_xml, which may write"),
                refused("INSERT INTO orders SELECT roll(1)", "calls public.roll, which may write"),
                refused("SELECT query_to_xml('DELETE FROM orders RETURNING 1', true, false, '')",
                        "calls pg_catalog.query_to_xml, which may write"),
                refused("SELECT * FROM orders WHERE id === 1", "may write"),
                refused("TRUNCATE orders CASCADE", "may change anything"),
                refused("ALTER TABLE orders ADD COLUMN note text", "may change anything"),
                refused("DO $$ BEGIN END $$", "may change anything"),
                refused("EXECUTE prepared_insert", "may change anything"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void writesToTheWholeDatabase(String sql, String reason) {
        WriteScope scope = catalog.tablesTouched(classify(sql), "public", SUPERUSER);
        assertThat(scope.wholeDatabase()).isTrue();
        assertThat(scope.reason()).contains(reason);
    }

    /** Only an unknown target keeps the changes to data; code that ran may also have granted or altered. */
    @Test
    void codeThatRunsMayChangeAnything() {
        assertThat(catalog.tablesTouched(classify("INSERT INTO nowhere VALUES (1)"), "public", SUPERUSER).extent())
                .isEqualTo(WriteScope.Extent.DATABASE);
        for (String sql : List.of("INSERT INTO audited VALUES (1)", "SELECT add_customer()", "DELETE FROM policed",
                "ALTER TABLE orders ADD COLUMN note text")) {
            assertThat(catalog.tablesTouched(classify(sql), "public", SUPERUSER).extent()).as(sql)
                    .isEqualTo(WriteScope.Extent.ANYTHING);
        }
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A temporary table shadowing a real one: the session that has it reads its temp rows (never the real
 * table's cached result), the others keep reading the real table.
 */
@ProxyTest
class TempTableTest {
    private static final String USER = PgEnvironment.SUPERUSER;
    private static final String READ = "SELECT * FROM tmp_shadow ORDER BY id";
    private static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CachingProxy.memory();
        proxy.admin("CREATE TABLE tmp_shadow (id int, v text)",
                "INSERT INTO tmp_shadow VALUES (1, 'real'), (2, 'real')",
                "CREATE FUNCTION tmp_make_shadow() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
                        + " CREATE TEMP TABLE tmp_shadow (id int, v text); INSERT INTO tmp_shadow VALUES (7, 'temp');"
                        + " RETURN 1; END $$",
                "CREATE VIEW tmp_maker AS SELECT tmp_make_shadow() AS made");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            proxy.admin("DROP VIEW tmp_maker", "DROP FUNCTION tmp_make_shadow()", "DROP TABLE tmp_shadow");
        } finally {
            proxy.close();
        }
    }

    static Stream<Arguments> creations() {
        return Stream.of(
                arguments(named("CREATE TEMP TABLE, INSERT", new String[] {
                        "CREATE TEMP TABLE tmp_shadow (id int, v text)", "INSERT INTO tmp_shadow VALUES (7, 'temp')"})),
                arguments(named("CREATE TABLE pg_temp.name", new String[] {
                        "CREATE TABLE pg_temp.tmp_shadow (id int, v text)",
                        "INSERT INTO pg_temp.tmp_shadow VALUES (7, 'temp')"})),
                arguments(named("CREATE TEMP TABLE AS", new String[] {
                        "CREATE TEMP TABLE tmp_shadow AS SELECT 7 AS id, 'temp'::text AS v"})),
                arguments(named("SELECT INTO TEMP", new String[] {
                        "SELECT 7 AS id, 'temp'::text AS v INTO TEMP tmp_shadow"})),
                arguments(named("in one multi-statement query", new String[] {
                        "CREATE TEMP TABLE tmp_shadow (id int, v text); INSERT INTO tmp_shadow VALUES (7, 'temp')"})),
                arguments(named("by a function", new String[] {"SELECT tmp_make_shadow()"})),
                arguments(named("by a DO block", new String[] {
                        "DO $$ BEGIN CREATE TEMP TABLE tmp_shadow (id int, v text);"
                                + " INSERT INTO tmp_shadow VALUES (7, 'temp'); END $$"})),
                arguments(named("by a view calling a function", new String[] {"SELECT * FROM tmp_maker"})));
    }

    /**
     * Creating and dropping a session's own temporary table changes nothing another session reads: its
     * cached results stay. (Writes to a temporary table still drop the database's entries: the catalog
     * cannot see another session's temporary tables, nor their triggers.)
     */
    @Test
    void anotherSessionsTemporaryTableKeepsTheCache() throws Exception {
        try (Twin owner = Twin.open(proxy, USER); Twin other = Twin.open(proxy, USER)) {
            Outcome real = other.cache(READ);

            owner.both("CREATE TEMP TABLE tmp_scratch (id int PRIMARY KEY, v text)");
            assertThat(other.hit(READ)).isEqualTo(real);
            assertThat(owner.noHit("SELECT * FROM tmp_scratch").text()).isEmpty();
            assertThat(owner.noHit(READ)).as("a session with temporary tables is not served").isEqualTo(real);

            owner.both("DROP TABLE pg_temp.tmp_scratch");
            assertThat(other.hit(READ)).isEqualTo(real);
            assertThat(owner.hit(READ)).isEqualTo(real);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("creations")
    void temporaryTableShadowsTheCachedRealOne(String[] create) throws Exception {
        try (Twin owner = Twin.open(proxy, USER); Twin other = Twin.open(proxy, USER)) {
            Outcome real = owner.cache(READ);
            assertThat(other.hit(READ)).isEqualTo(real);

            owner.both(create);
            Outcome temp = owner.noHit(READ);
            assertThat(temp).isNotEqualTo(real);
            assertThat(temp.text()).containsExactly(java.util.List.of("7", "temp"));
            assertThat(owner.noHit(READ)).isEqualTo(temp);

            // The other session still reads the real table.
            assertThat(other.read(READ).outcome()).isEqualTo(real);

            owner.both("DROP TABLE pg_temp.tmp_shadow");
            assertThat(owner.cache(READ)).isEqualTo(real);
        }
    }
}

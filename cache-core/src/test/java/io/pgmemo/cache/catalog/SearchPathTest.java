package io.pgmemo.cache.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** search_path values as SHOW prints them, and the schemas they search. */
class SearchPathTest {

    static Stream<Arguments> paths() {
        return Stream.of(
                arguments(named("default", "\"$user\", public"), "bob", List.of("pg_catalog", "bob", "public")),
                arguments(named("unquoted names fold", "Sales ,PUBLIC"), "bob", List.of("pg_catalog", "sales", "public")),
                arguments(named("quoted names keep case and commas", "\"My, Schema\", \"a\"\"b\""), "bob",
                        List.of("pg_catalog", "My, Schema", "a\"b")),
                arguments(named("explicit pg_catalog keeps its place", "public, pg_catalog"), "bob",
                        List.of("public", "pg_catalog")),
                arguments(named("pg_temp is judged apart", "pg_temp, public"), "bob", List.of("pg_catalog", "public")),
                arguments(named("$user without a role", "$user, public"), null, List.of("pg_catalog", "public")),
                arguments(named("empty", ""), "bob", List.of("pg_catalog")),
                arguments(named("null", null), "bob", List.of("pg_catalog")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void paths(String value, String role, List<String> schemas) {
        assertThat(SearchPath.parse(value).schemas(role)).containsExactlyElementsOf(schemas);
    }
}

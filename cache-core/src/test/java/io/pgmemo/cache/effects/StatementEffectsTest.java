package io.pgmemo.cache.effects;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.PreparedStatementEffect;
import io.pgmemo.cache.sql.StatementClassifier;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What statements may change, decided on the typed findings of the classifier (the statement's kind,
 * its effect on prepared statements), never on its command text.
 */
class StatementEffectsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SELECT 1                              | NONE     | false | false | ",
        "SET search_path = public              | NONE     | false | false | ",
        "PREPARE p AS SELECT 1                 | NONE     | false | true  | NAMES",
        "EXECUTE p                             | ALL      | false | false | RUNS",
        "DEALLOCATE p                          | NONE     | true  | false | DROPS",
        "DEALLOCATE ALL                        | NONE     | true  | false | DROPS",
        "DISCARD ALL                           | NONE     | true  | false | DROPS",
        "PREPARE TRANSACTION 'gid'             | NONE     | false | false | ",
        "INSERT INTO t VALUES (1)              | DATABASE | false | false | ",
        "DO $$ BEGIN END $$                    | ALL      | true  | true  | ",
        "CREATE TABLE t (id int)               | ALL      | false | false | "})
    void judgesTheTypedFindings(String sql, Invalidation.Extent extent, boolean dropsStatements,
                                boolean namesStatements, PreparedStatementEffect effect) {
        List<Classification> statements = StatementClassifier.classifyAll(sql, true);

        assertThat(StatementEffects.invalidation(statements).extent()).isEqualTo(extent);
        assertThat(StatementEffects.mayDropStatements(statements)).isEqualTo(dropsStatements);
        assertThat(StatementEffects.mayNameStatements(statements)).isEqualTo(namesStatements);
        assertThat(statements.get(0).preparedStatements()).isEqualTo(effect == null ? Set.of() : Set.of(effect));
    }
}

package io.pgmemo.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlainSelectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SELECT abalance FROM pgbench_accounts WHERE aid = 42;| true",
            "  select * from t where a = 'x' order by id   | true",
            "SELECT\t1| true",
            "SELECT * FROM t;  | true",
            "SELECT now()| false",
            "SELECT * FROM t WHERE id IN (1, 2)| false",
            "SELECT 1; DROP TABLE t| false",
            "SELECT 1;;| false",
            "SELECT * INTO copy FROM t| false",
            "select * into copy from t| false",
            "SELECT 1 -- comment| false",
            "SELECT /* c */ 1| false",
            "SELECT $$x$$| false",
            "SELECTED| false",
            "SELECT| false",
            "UPDATE t SET a = 1| false",
            "WITH x AS (SELECT 1) SELECT * FROM x| false",
            "VALUES 1| false"})
    void plainSelects(String sql, boolean plain) {
        ByteBuf body = Unpooled.buffer();
        body.writeCharSequence(sql, StandardCharsets.UTF_8);
        body.writeByte(0);
        try {
            assertThat(PlainSelect.matches(body)).isEqualTo(plain);
        } finally {
            body.release();
        }
    }
}

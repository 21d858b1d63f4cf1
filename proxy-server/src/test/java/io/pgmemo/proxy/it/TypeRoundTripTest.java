package io.pgmemo.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.QueryMode;
import io.pgmemo.proxy.testing.Rows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A value of each common type, the NULL of that type, and the value inside an array, read through
 * the proxy and directly in each query mode: same column names, type names, strings and raw bytes.
 */
@ProxyTest
class TypeRoundTripTest {
    private static final Map<QueryMode, Connection[]> CONNECTIONS = new EnumMap<>(QueryMode.class);

    /** Type and a literal of it; the query selects the value, NULL::type and ARRAY[value, NULL]. */
    private record Value(String type, String literal) {
    }

    private static final Value[] VALUES = {
        new Value("int2", "-32768"),
        new Value("int4", "2147483647"),
        new Value("int8", "-9223372036854775808"),
        new Value("numeric", "'12345678901234567890.000123456789'"),
        new Value("numeric", "'NaN'"),
        new Value("numeric(7,3)", "'-1234.5'"),
        new Value("float4", "'3.1415927'"),
        new Value("float8", "'-1.7976931348623157e308'"),
        new Value("float8", "'-Infinity'"),
        new Value("text", "'héllo, wörld ✓ \"quoted\" \\ back'"),
        new Value("text", "''"),
        new Value("varchar(12)", "'varying'"),
        new Value("char(6)", "'pad'"),
        new Value("bytea", "'\\x00ff10deadbeef'"),
        new Value("bytea", "''"),
        new Value("bool", "true"),
        new Value("bool", "false"),
        new Value("date", "'2024-02-29'"),
        new Value("date", "'infinity'"),
        new Value("timestamp", "'2024-02-29 13:45:56.123456'"),
        new Value("timestamp", "'1999-12-31 23:59:59'"),
        new Value("timestamptz", "'2024-02-29 13:45:56.123456+05:30'"),
        new Value("time", "'23:59:59.999999'"),
        new Value("interval", "'1 year 2 mons 3 days 04:05:06.789'"),
        new Value("interval", "'-1 days +02:00:00'"),
        new Value("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
        new Value("json", "'{\"a\": [1, 2.5, null, \"x\"],  \"b\" : {}}'"),
        new Value("jsonb", "'{\"a\": [1, 2.5, null, \"x\"],  \"b\" : {}}'"),
        new Value("oid", "4294967295"),
        new Value("inet", "'192.168.0.1/24'"),
        new Value("int4[]", "'{1,NULL,-3}'"),
        new Value("int8[]", "'{{1,2},{3,4}}'"),
        new Value("text[]", "'{\"a b\",NULL,\"c\\\"d\",\"\"}'"),
        new Value("float8[]", "'{1.5,NaN,Infinity}'"),
        new Value("bool[]", "'{}'"),
    };

    static Stream<Arguments> cases() {
        return Stream.of(QueryMode.values()).flatMap(mode -> Stream.of(VALUES).map(value ->
                arguments(mode, named(value.type() + " " + value.literal(), value))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void valueNullAndArrayAreTheSameAsDirect(QueryMode mode, Value value) throws SQLException {
        String sql = value.type().endsWith("[]")
                ? String.format("SELECT CAST(%s AS %s) AS value, CAST(NULL AS %2$s) AS null_value", value.literal(),
                        value.type())
                : String.format("SELECT CAST(%s AS %s) AS value, CAST(NULL AS %2$s) AS null_value,"
                        + " ARRAY[CAST(%1$s AS %2$s), NULL] AS in_array", value.literal(), value.type());

        Rows viaProxy = Rows.query(connections(mode)[0], sql);
        Rows direct = Rows.query(connections(mode)[1], sql);

        assertThat(viaProxy).isEqualTo(direct);
        assertThat(viaProxy.size()).isEqualTo(1);
        assertThat(viaProxy.strings().get(0).get(1)).isNull();
    }

    /** Several rows mixing every type at once, and the same through bound parameters. */
    @ParameterizedTest
    @MethodSource("modes")
    void wideRowsAndBoundParametersAreTheSameAsDirect(QueryMode mode) throws SQLException {
        String wide = "SELECT i, i::int2 AS small, i * 1000000000000 AS big, i / 7.0 AS num, i / 3.0::float8 AS dbl,"
                + " md5(i::text) AS txt, decode(md5(i::text), 'hex') AS bin, i % 2 = 0 AS even,"
                + " date '2020-01-01' + i AS day, timestamptz '2020-01-01 00:00+00' + i * interval '1 hour' AS ts,"
                + " CASE WHEN i % 3 = 0 THEN NULL ELSE ARRAY[i, i + 1] END AS arr,"
                + " jsonb_build_object('i', i, 's', repeat('x', i)) AS doc"
                + " FROM generate_series(1, 50) AS i";
        assertThat(Rows.query(connections(mode)[0], wide)).isEqualTo(Rows.query(connections(mode)[1], wide));

        String bound = "SELECT ?::int8 + 1 AS n, ?::text || '!' AS t, ?::bytea AS b, ?::numeric * 2 AS d,"
                + " ?::timestamptz AS ts, ?::int4[] AS arr";
        assertThat(bound(connections(mode)[0], bound)).isEqualTo(bound(connections(mode)[1], bound));
    }

    static Stream<QueryMode> modes() {
        return Stream.of(QueryMode.values());
    }

    private static Rows bound(Connection connection, String sql) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, Long.MAX_VALUE - 1);
            ps.setString(2, "ünïcode");
            ps.setBytes(3, new byte[] {0, 1, 2, (byte) 0xff});
            ps.setBigDecimal(4, new java.math.BigDecimal("-0.000000000001"));
            ps.setString(5, "2024-06-30 12:00:00+02");
            ps.setArray(6, connection.createArrayOf("int4", new Integer[] {1, null, 3}));
            try (ResultSet rs = ps.executeQuery()) {
                return Rows.of(rs);
            }
        }
    }

    private static synchronized Connection[] connections(QueryMode mode) {
        return CONNECTIONS.computeIfAbsent(mode, m -> {
            try {
                PgEnvironment env = PgEnvironment.get();
                return new Connection[] {env.viaProxy(m.properties()), env.direct(m.properties())};
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterAll
    static void closeConnections() throws SQLException {
        for (Connection[] pair : CONNECTIONS.values()) {
            pair[0].close();
            pair[1].close();
        }
        CONNECTIONS.clear();
    }
}

package io.pgmemo.proxy.it;

import static io.pgmemo.proxy.testing.PgEnvironment.credentials;
import static io.pgmemo.proxy.testing.PgEnvironment.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pgmemo.proxy.testing.PgEnvironment;
import io.pgmemo.proxy.testing.ProxyTest;
import io.pgmemo.proxy.testing.Rows;
import io.pgmemo.proxy.testing.SqlCall;
import java.sql.Connection;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Trust, md5 and SCRAM logins relayed unchanged; failed logins fail the same way as directly. */
@ProxyTest
class AuthenticationTest {
    private static final String WHO_AM_I = "SELECT current_user, session_user, current_database(),"
            + " current_setting('application_name') AS app, inet_client_addr() AS client";

    private final PgEnvironment env = PgEnvironment.get();

    static Stream<Arguments> goodLogins() {
        return Stream.of(
                arguments(named("trust (trust_user)", credentials(PgEnvironment.TRUST_USER, null))),
                arguments(named("scram-sha-256 (postgres)",
                        credentials(PgEnvironment.SUPERUSER, PgEnvironment.passwordOf(PgEnvironment.SUPERUSER)))),
                arguments(named("md5 (md5_user)", credentials(PgEnvironment.MD5_USER, PgEnvironment.MD5_PASSWORD))),
                arguments(named("scram-sha-256 (scram_user)",
                        credentials(PgEnvironment.SCRAM_USER, PgEnvironment.SCRAM_PASSWORD))));
    }

    @ParameterizedTest
    @MethodSource("goodLogins")
    void logsInAsTheSameUserAsDirectly(Properties login) throws Exception {
        try (Connection proxied = env.viaProxy(login); Connection direct = env.direct(login)) {
            Rows viaProxy = Rows.query(proxied, WHO_AM_I);
            assertThat(viaProxy).isEqualTo(Rows.query(direct, WHO_AM_I));
            assertThat(viaProxy.strings().get(0).get(0)).isEqualTo(login.getProperty("user"));
        }
    }

    static Stream<Arguments> badLogins() {
        return Stream.of(
                arguments(named("md5, wrong password", credentials(PgEnvironment.MD5_USER, "not-the-password"))),
                arguments(named("scram, wrong password", credentials(PgEnvironment.SCRAM_USER, "not-the-password"))),
                arguments(named("md5, other user's password",
                        credentials(PgEnvironment.MD5_USER, PgEnvironment.SCRAM_PASSWORD))),
                arguments(named("scram, other user's password",
                        credentials(PgEnvironment.SCRAM_USER, PgEnvironment.MD5_PASSWORD))));
    }

    @ParameterizedTest
    @MethodSource("badLogins")
    void wrongPasswordFailsWith28P01AndTheProxyKeepsServing(Properties login) throws Exception {
        try (Connection bystander = env.viaProxy(); Connection reference = env.direct()) {
            String direct = SqlCall.sqlStateOf(() -> env.direct(login).close());
            String proxied = SqlCall.sqlStateOf(() -> env.viaProxy(login).close());

            assertThat(proxied).isEqualTo(direct).isEqualTo("28P01");
            // A session opened before the failure and a new one both still work.
            assertThat(Rows.query(bystander, WHO_AM_I)).isEqualTo(Rows.query(reference, WHO_AM_I));
            Properties good = credentials(login.getProperty("user"), login.getProperty("user").equals(
                    PgEnvironment.MD5_USER) ? PgEnvironment.MD5_PASSWORD : PgEnvironment.SCRAM_PASSWORD);
            try (Connection fresh = env.viaProxy(good); Connection freshDirect = env.direct(good)) {
                assertThat(Rows.query(fresh, WHO_AM_I)).isEqualTo(Rows.query(freshDirect, WHO_AM_I));
            }
        }
    }

    static Stream<Arguments> refusedStartups() {
        return Stream.of(
                arguments(named("unknown database", props("user", PgEnvironment.SUPERUSER)), "no_such_db", "3D000"),
                // Under scram-sha-256 PostgreSQL runs a mock exchange for an unknown role: a password failure.
                arguments(named("unknown role", props("user", "no_such_role")), PgEnvironment.DATABASE, "28P01"),
                arguments(named("invalid setting in options", props("user", PgEnvironment.SUPERUSER,
                        "options", "-c work_mem=-5")), PgEnvironment.DATABASE, "22023"));
    }

    /** Errors the upstream raises during startup reach the client with the upstream's SQLSTATE. */
    @ParameterizedTest
    @MethodSource("refusedStartups")
    void startupRefusedByTheUpstreamFailsAsDirectly(Properties login, String database, String sqlState) {
        String direct = SqlCall.sqlStateOf(() -> connect(env.upstreamPort(), database, login));
        String proxied = SqlCall.sqlStateOf(() -> connect(env.proxyPort(), database, login));

        assertThat(proxied).isEqualTo(direct).isEqualTo(sqlState);
    }

    /** Startup parameters (options, application_name, search_path via options) reach the upstream. */
    @ParameterizedTest
    @MethodSource("goodLogins")
    void startupParametersReachTheUpstream(Properties login) throws Exception {
        Properties withOptions = new Properties();
        withOptions.putAll(login);
        withOptions.putAll(props("ApplicationName", "pgmemo-it", "options", "-c search_path=pg_catalog,public"
                + " -c work_mem=1234kB", "assumeMinServerVersion", "14"));
        String settings = "SELECT current_setting('application_name'), current_setting('search_path'),"
                + " current_setting('work_mem'), current_setting('DateStyle'), current_setting('client_encoding')";
        try (Connection proxied = env.viaProxy(withOptions); Connection direct = env.direct(withOptions)) {
            assertThat(Rows.query(proxied, settings)).isEqualTo(Rows.query(direct, settings));
            assertThat(Rows.query(proxied, settings).strings().get(0).subList(0, 3))
                    .containsExactly("pgmemo-it", "pg_catalog,public", "1234kB");
        }
    }

    private static void connect(int port, String database, Properties login) throws Exception {
        Properties all = PgEnvironment.withDefaults(login);
        java.sql.DriverManager.getConnection("jdbc:postgresql://" + PgEnvironment.HOST + ":" + port + "/" + database,
                all).close();
    }
}

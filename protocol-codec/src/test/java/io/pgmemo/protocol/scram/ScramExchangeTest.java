package io.pgmemo.protocol.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgmemo.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both sides of SCRAM-SHA-256 against RFC 7677's test vector and against each other. */
class ScramExchangeTest {
    /** RFC 7677 section 3: user "user", password "pencil". */
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    private static final TlsServerEndPoint CERTIFICATE = new TlsServerEndPoint(new byte[32]);

    @Test
    void theClientSendsTheRfcMessages() throws Exception {
        ScramClient client = new ScramClient(ScramClient.password("pencil"), null, false, CLIENT_NONCE, "user");

        assertThat(client.mechanism(List.of("SCRAM-SHA-256"))).isEqualTo("SCRAM-SHA-256");
        assertThat(text(client.clientFirst())).isEqualTo("n,,n=user,r=" + CLIENT_NONCE);
        assertThat(text(client.clientFinal(bytes("r=" + CLIENT_NONCE + SERVER_NONCE
                + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))).isEqualTo(CLIENT_FINAL);
        client.checkServerFinal(bytes(SERVER_FINAL));
    }

    @Test
    void theServerAcceptsTheRfcClientAndSignsAsTheRfcSays() throws Exception {
        ScramServer server = new ScramServer(ScramSecret.of("pencil", SALT, 4096), null, SERVER_NONCE);

        assertThat(text(server.serverFirst("SCRAM-SHA-256", bytes("n,,n=user,r=" + CLIENT_NONCE))))
                .isEqualTo("r=" + CLIENT_NONCE + SERVER_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        assertThat(text(server.serverFinal(bytes(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
    }

    @Test
    void aVerifiedClientsKeysLogInWithTheSameVerifier() throws Exception {
        ScramSecret secret = ScramSecret.withRandomSalt("pencil");
        ScramServer proxy = new ScramServer(secret, null);
        exchange(new ScramClient(ScramClient.password("pencil"), null, false), proxy);

        ScramKeys recovered = proxy.keys();
        ScramServer upstream = new ScramServer(secret, CERTIFICATE);
        exchange(new ScramClient((salt, iterations) -> recovered, CERTIFICATE, true), upstream);

        assertThat(recovered.clientKey()).isEqualTo(ScramKeys.fromPassword("pencil", secret.salt(), 4096).clientKey());
    }

    @Test
    void aWrongPasswordIs28P01() {
        ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), null);

        ScramException refused = catchThrowableOfType(ScramException.class,
                () -> exchange(new ScramClient(ScramClient.password("crayon"), null, false), server));

        assertThat(refused.sqlState()).isEqualTo(SqlState.INVALID_PASSWORD);
    }

    @Test
    void aClientBindsWhenTheServerOffersPlus() throws Exception {
        ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), CERTIFICATE);
        ScramClient client = new ScramClient(ScramClient.password("pencil"), CERTIFICATE, true);

        assertThat(server.mechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
        exchange(client, server);
        assertThat(text(client.clientFirst())).startsWith("p=tls-server-end-point,,");
    }

    @Test
    void aBindingToAnotherCertificateFails() {
        ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), CERTIFICATE);
        byte[] other = new byte[32];
        other[0] = 1;
        ScramClient client = new ScramClient(ScramClient.password("pencil"), new TlsServerEndPoint(other), true);

        ScramException refused = catchThrowableOfType(ScramException.class, () -> exchange(client, server));

        assertThat(refused.getMessage()).isEqualTo("SCRAM channel binding check failed");
        assertThat(refused.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
    }

    /** RFC 5802 section 6: a client that could bind but was not offered -PLUS says 'y'; a binding server refuses. */
    @Test
    void aClientThatThinksTheServerCannotBindIsRefusedByOneThatCan() {
        ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), CERTIFICATE);

        ScramException refused = catchThrowableOfType(ScramException.class,
                () -> server.serverFirst("SCRAM-SHA-256", bytes("y,,n=,r=abc")));

        assertThat(refused.getMessage()).startsWith("SCRAM channel binding negotiation error");
    }

    @Test
    void malformedClientMessagesAre08P01() {
        for (String first : List.of("", "n", "n,", "x,,n=,r=abc", "n,,r=abc", "n,,n=,r=")) {
            ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), null);
            ScramException refused = catchThrowableOfType(ScramException.class,
                    () -> server.serverFirst("SCRAM-SHA-256", bytes(first)));
            assertThat(refused).as(first).isNotNull();
            assertThat(refused.sqlState()).as(first).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void anAuthorizationIdentityIsNotSupported() {
        ScramServer server = new ScramServer(ScramSecret.withRandomSalt("pencil"), null);

        ScramException refused = catchThrowableOfType(ScramException.class,
                () -> server.serverFirst("SCRAM-SHA-256", bytes("n,a=admin,n=,r=abc")));

        assertThat(refused.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED);
    }

    @Test
    void theStoredFormRoundTripsAndHidesItsKeys() {
        ScramSecret secret = ScramSecret.of("pencil", SALT, 4096);

        assertThat(ScramSecret.parse(secret.encode())).isEqualTo(secret);
        assertThat(secret.encode()).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        assertThat(secret.toString()).doesNotContain(Base64.getEncoder().encodeToString(secret.storedKey()));
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> ScramSecret.parse("md5abc")))
                .isNotNull();
    }

    private static void exchange(ScramClient client, ScramServer server) throws ScramException {
        String mechanism = client.mechanism(server.mechanisms());
        byte[] serverFirst = server.serverFirst(mechanism, client.clientFirst());
        byte[] serverFinal = server.serverFinal(client.clientFinal(serverFirst));
        client.checkServerFinal(serverFinal);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}

package io.pgmemo.protocol.backend;

import static io.pgmemo.protocol.WireBytes.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The mechanism list of AuthenticationSASL: read, and written without SCRAM-SHA-256-PLUS. */
class AuthenticationSaslTest {

    @Test
    void readsTheMechanismsUpToTheEmptyString() {
        Authentication offer = new Authentication(Authentication.SASL,
                bytes("SCRAM-SHA-256-PLUS\0", "SCRAM-SHA-256\0", "\0"));

        assertThat(offer.saslMechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
    }

    @Test
    void writesTheSameBytesPostgreSqlSends() {
        assertThat(Authentication.sasl(List.of("SCRAM-SHA-256")))
                .isEqualTo(new Authentication(Authentication.SASL, bytes("SCRAM-SHA-256\0", "\0")));
        assertThat(Authentication.sasl(List.of("SCRAM-SHA-256")).saslMechanisms()).containsExactly("SCRAM-SHA-256");
    }

    @Test
    void anEmptyListIsJustTheTerminator() {
        assertThat(new Authentication(Authentication.SASL, bytes("\0")).saslMechanisms()).isEmpty();
    }

    @Test
    void otherRequestsHaveNoMechanisms() {
        assertThatThrownBy(() -> new Authentication(Authentication.OK, new byte[0]).saslMechanisms())
                .isInstanceOf(IllegalStateException.class);
    }
}

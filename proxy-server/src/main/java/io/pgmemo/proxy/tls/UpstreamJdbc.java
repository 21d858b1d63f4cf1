package io.pgmemo.proxy.tls;

import io.pgmemo.proxy.config.TlsConfig;
import io.pgmemo.proxy.config.UpstreamTlsMode;
import java.util.HashMap;
import java.util.Map;

/** The upstream TLS mode as pgjdbc connection properties, for every JDBC connection pgmemo opens upstream. */
public final class UpstreamJdbc {
    private UpstreamJdbc() {
    }

    /** sslmode has the same names and meanings in pgjdbc as in libpq and in --upstream-tls. */
    public static Map<String, String> sslProperties(TlsConfig config) {
        Map<String, String> properties = new HashMap<>();
        UpstreamTlsMode mode = config.upstreamMode();
        properties.put("sslmode", mode.cliName());
        if (config.upstreamCa() != null) {
            properties.put("sslrootcert", config.upstreamCa().toString());
        } else if (mode == UpstreamTlsMode.VERIFY_CA || mode == UpstreamTlsMode.VERIFY_FULL) {
            // No CA file: trust the JDK's trust store, as the relay does, not ~/.postgresql/root.crt.
            properties.put("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
        }
        return properties;
    }
}

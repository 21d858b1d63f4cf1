package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;
import io.pgmemo.cache.key.SessionFingerprint;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The query the proxy runs inside a client's session (its replies are swallowed) to learn what
 * shapes that session's results: database, current and session user, every setting not at its
 * default plus the ones that shape output whatever their source (search_path, TimeZone, role...), and
 * whether it has temporary relations, which could shadow anything.
 */
final class SessionProbe {
    private static final char SEPARATOR = '\u001f';

    static final String SQL = "SELECT pg_catalog.current_database(), current_user, session_user,"
            + " (SELECT pg_catalog.string_agg(name || '=' || setting, pg_catalog.chr(31) ORDER BY name)"
            + "  FROM pg_catalog.pg_settings WHERE (source NOT IN ('default', 'override')"
            + "   OR name IN ('search_path', 'TimeZone', 'DateStyle', 'IntervalStyle', 'extra_float_digits',"
            + "   'bytea_output', 'client_encoding', 'standard_conforming_strings', 'role', 'row_security',"
            + "   'default_text_search_config', 'lc_monetary', 'lc_numeric', 'lc_time'))"
            + "  AND name NOT IN ('application_name')),"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema())";

    /** What the probe found; {@code fingerprint} is null when the session must not be served. */
    record Result(SessionFingerprint fingerprint, boolean hasTemporaryRelations) {
    }

    private SessionProbe() {
    }

    /** Reads the probe's DataRow body (text format). */
    static Result parse(ByteBuf dataRow, Charset charset) {
        ByteBuf body = dataRow.duplicate();
        int columns = body.readUnsignedShort();
        String[] values = new String[columns];
        for (int i = 0; i < columns; i++) {
            int length = body.readInt();
            values[i] = length < 0 ? null : body.readCharSequence(length, charset).toString();
        }
        SessionFingerprint.Builder builder = SessionFingerprint.builder(values[0])
                .currentRole(values[1])
                .sessionUser(values[2]);
        if (values[3] != null) {
            for (String setting : values[3].split(String.valueOf(SEPARATOR))) {
                int equals = setting.indexOf('=');
                if (equals > 0) {
                    builder.setting(setting.substring(0, equals), setting.substring(equals + 1));
                }
            }
        }
        boolean hasTemporary = "t".equals(values[4]);
        return new Result(builder.build(), hasTemporary);
    }

    /** The charset of the session's text, or null when the proxy does not decode it reliably. */
    static Charset charsetOf(String clientEncoding) {
        if (clientEncoding == null) {
            return null;
        }
        return switch (clientEncoding.toUpperCase(java.util.Locale.ROOT)) {
            case "UTF8", "UTF-8", "UNICODE" -> StandardCharsets.UTF_8;
            case "LATIN1", "SQL_ASCII" -> StandardCharsets.ISO_8859_1;
            default -> null;
        };
    }
}

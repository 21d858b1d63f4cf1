package io.pgmemo.cache.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    private static final SessionFingerprint BASE = SessionFingerprint.builder("app")
            .sessionUser("alice").currentRole("alice").searchPath("\"$user\", public").timeZone("UTC")
            .dateStyle("ISO, MDY").intervalStyle("postgres").extraFloatDigits("1").byteaOutput("hex")
            .clientEncoding("UTF8").standardConformingStrings("on").build();

    private static final int[] NO_TYPES = {};
    private static final short[] NO_FORMATS = {};

    static Stream<Arguments> keysThatMustDiffer() {
        return Stream.of(
                pair("adjacent settings split differently",
                        simple(f("ab", "c"), "x"), simple(f("a", "bc"), "x")),
                pair("two parameters split differently",
                        extended("q", bytes("ab"), bytes("c")), extended("q", bytes("a"), bytes("bc"))),
                pair("NULL parameter vs empty parameter",
                        extended("q", (byte[]) null), extended("q", new byte[0])),
                pair("one empty parameter vs none",
                        extended("q", new byte[0]), extended("q")),
                pair("simple vs extended protocol with no parameters",
                        simple(BASE, "select 1"), extended("select 1")),
                pair("null setting vs empty setting",
                        simple(BASE.toBuilder().searchPath(null).build(), "q"),
                        simple(BASE.toBuilder().searchPath("").build(), "q")),
                pair("same value in a different field",
                        simple(BASE.toBuilder().timeZone("x").dateStyle(null).build(), "q"),
                        simple(BASE.toBuilder().timeZone(null).dateStyle("x").build(), "q")),
                pair("different role", simple(BASE, "q"), simple(BASE.toBuilder().currentRole("bob").build(), "q")),
                pair("different database", simple(BASE, "q"), simple(BASE.toBuilder().database("other").build(), "q")),
                pair("different user", simple(BASE, "q"), simple(BASE.toBuilder().sessionUser("bob").build(), "q")),
                pair("different extra_float_digits",
                        simple(BASE, "q"), simple(BASE.toBuilder().extraFloatDigits("3").build(), "q")),
                pair("different bytea_output",
                        simple(BASE, "q"), simple(BASE.toBuilder().byteaOutput("escape").build(), "q")),
                pair("other setting name/value split",
                        simple(with(s -> s.setting("ab", "c")), "q"), simple(with(s -> s.setting("a", "bc")), "q")),
                pair("other setting present vs absent",
                        simple(with(s -> s.setting("default_text_search_config", "pg_catalog.english")), "q"),
                        simple(BASE, "q")),
                pair("parameter type oid",
                        extendedKey("q", new int[] {23}, new byte[][] {bytes("1")},
                                NO_FORMATS, NO_FORMATS),
                        extendedKey("q", new int[] {20}, new byte[][] {bytes("1")},
                                NO_FORMATS, NO_FORMATS)),
                pair("parameter format code",
                        extendedKey("q", NO_TYPES, new byte[][] {bytes("1")},
                                new short[] {0}, NO_FORMATS),
                        extendedKey("q", NO_TYPES, new byte[][] {bytes("1")},
                                new short[] {1}, NO_FORMATS)),
                pair("parameter vs result format codes",
                        extendedKey("q", NO_TYPES, new byte[0][], new short[] {1}, NO_FORMATS),
                        extendedKey("q", NO_TYPES, new byte[0][], NO_FORMATS, new short[] {1})),
                pair("SQL text containing what could look like a following field",
                        extended("q", bytes("x")), simple(BASE, "q\0\0\0\1x")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keysThatMustDiffer")
    void differentInputsGiveDifferentKeys(CacheKey a, CacheKey b) {
        assertThat(a).isNotEqualTo(b);
        assertThat(a.encoded()).isNotEqualTo(b.encoded());
        assertThat(a.digest()).isNotEqualTo(b.digest());
    }

    @Test
    void equalInputsGiveEqualKeys() {
        CacheKey a = extended("select $1", bytes("42"), null);
        CacheKey b = extended("select $1", bytes("42"), null);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.digest()).hasSize(32).isEqualTo(b.digest());
        assertThat(a.digestHex()).hasSize(64);
    }

    @Test
    void otherSettingsAreOrderIndependent() {
        SessionFingerprint one = with(s -> s.setting("b", "2").setting("a", "1"));
        SessionFingerprint two = with(s -> s.setting("a", "1").setting("B", "2"));

        assertThat(simple(one, "q")).isEqualTo(simple(two, "q"));
    }

    @Test
    void roundTripsThroughItsEncoding() {
        CacheKey key = extended("select $1", bytes("v"));

        CacheKey back = CacheKey.fromEncoded(key.encoded());

        assertThat(back).isEqualTo(key);
        assertThat(back.digest()).isEqualTo(key.digest());
        assertThatThrownBy(() -> CacheKey.fromEncoded(new byte[] {9})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingByServerNameFillsTheNamedFields() {
        SessionFingerprint f = SessionFingerprint.builder("db")
                .setting("TimeZone", "Europe/Paris").setting("DateStyle", "ISO, DMY").setting("IntervalStyle", "iso_8601")
                .setting("search_path", "s").setting("role", "r").setting("session_authorization", "u")
                .setting("client_encoding", "UTF8").setting("standard_conforming_strings", "on")
                .setting("bytea_output", "hex").setting("extra_float_digits", "2").setting("my.flag", "x")
                .build();

        assertThat(f).isEqualTo(new SessionFingerprint("db", "u", "r", "s", "Europe/Paris", "ISO, DMY", "iso_8601",
                "2", "hex", "UTF8", "on", new java.util.TreeMap<>(Map.of("my.flag", "x"))));
    }

    @Test
    void encodingIsStable() {
        // A change of encoding orphans every stored entry: it must be deliberate (bump VERSION).
        CacheKey key = simple(SessionFingerprint.builder("d").build(), "q");

        assertThat(key.digestHex()).isEqualTo(
                CacheKey.fromEncoded(key.encoded()).digestHex());
        assertThat(key.encoded()).startsWith(1, 'F', 'd', 0, 0, 0, 1, 'd', 'u', -1, -1, -1, -1);
    }

    /**
     * Sessions in one state share one prefix, which their keys do not hold on their own; a key read back
     * from storage shares it too (its own bytes are what follows the fingerprint).
     */
    @Test
    void keysOfOneSessionStateShareItsPrefix() {
        SessionFingerprint state = SessionFingerprint.builder("shared_db").sessionUser("u").setting("my.flag", "x").build();
        CacheKey first = CacheKey.forSimpleQuery(CacheKey.prefix(state), "select 1");
        CacheKey second = CacheKey.forSimpleQuery(CacheKey.prefix(state.toBuilder().build()), "select 1");
        int own = CacheKey.forSimpleQuery(CacheKey.prefix(state), "").ownedLength() + "select 1".length();

        assertThat(CacheKey.prefix(state)).isSameAs(CacheKey.prefix(state.toBuilder().build()));
        assertThat(first.ownedLength()).isEqualTo(second.ownedLength()).isEqualTo(own)
                .isLessThan(first.encodedLength() - 20);
        CacheKey restored = CacheKey.fromEncoded(first.encoded());
        assertThat(restored).isEqualTo(first);
        assertThat(restored.ownedLength()).isEqualTo(own);
        CacheKey extended = extended("select $1", bytes("v"));
        assertThat(CacheKey.fromEncoded(extended.encoded()).ownedLength()).isEqualTo(extended.ownedLength());
    }

    /** The SQL text is read back from the key, also from one restored from storage; null if it does not parse. */
    @Test
    void holdsItsSqlText() {
        CacheKey simple = simple(BASE, "SELECT 'é', 1");
        CacheKey extended = extended("select $1", bytes("v"));

        assertThat(simple.sql()).isEqualTo("SELECT 'é', 1");
        assertThat(CacheKey.fromEncoded(simple.encoded()).sql()).isEqualTo("SELECT 'é', 1");
        assertThat(extended.sql()).isEqualTo("select $1");
        assertThat(CacheKey.fromEncoded(extended.encoded()).sql()).isEqualTo("select $1");
        byte[] damaged = simple.encoded();
        damaged[4] = 0x7f;
        assertThat(CacheKey.fromEncoded(damaged).sql()).isNull();
    }

    /** An encoding whose fingerprint does not parse is kept whole, never split at a wrong place. */
    @Test
    void aDamagedEncodingIsHeldWhole() {
        byte[] encoded = CacheKey.forSimpleQuery(SessionFingerprint.builder("d").build(), "q").encoded();
        encoded[4] = 0x7f; // the database name's length, now beyond the end

        CacheKey damaged = CacheKey.fromEncoded(encoded);

        assertThat(damaged.ownedLength()).isEqualTo(encoded.length);
        assertThat(damaged.encoded()).isEqualTo(encoded);
    }

    /** Keys built from a prefix hash only what follows it, yet have the hash and digest of their whole encoding. */
    @Test
    void keysBuiltFromAPrefixHaveTheDigestOfTheirWholeEncoding() {
        CacheKey.Prefix prefix = CacheKey.prefix(BASE);
        String longSql = "SELECT " + "x, ".repeat(100) + "1";
        for (CacheKey key : new CacheKey[] {
                CacheKey.forSimpleQuery(prefix, "q"),
                CacheKey.forSimpleQuery(prefix, longSql),
                CacheKey.forExtendedQuery(prefix, "PBdE", longSql, new int[] {23}, java.util.List.of(bytes("7")),
                        NO_FORMATS, new short[] {1})}) {
            CacheKey rebuilt = CacheKey.fromEncoded(key.encoded());
            assertThat(key.digestHex()).isEqualTo(rebuilt.digestHex());
            assertThat(key).isEqualTo(rebuilt).hasSameHashCodeAs(rebuilt);
            assertThat(rebuilt).as("read back from storage, looked up by a live key").isEqualTo(key);
            assertThat(key.hash64()).isEqualTo(rebuilt.hash64());
            assertThat(key.encodedLength()).isEqualTo(rebuilt.encodedLength());
        }
        assertThat(CacheKey.forSimpleQuery(prefix, "q")).isEqualTo(CacheKey.forSimpleQuery(BASE, "q"));
    }

    private static Arguments pair(String name, CacheKey a, CacheKey b) {
        return Arguments.of(named(name, a), b);
    }

    private static SessionFingerprint f(String searchPath, String timeZone) {
        return BASE.toBuilder().searchPath(searchPath).timeZone(timeZone).build();
    }

    private static SessionFingerprint with(UnaryOperator<SessionFingerprint.Builder> change) {
        return change.apply(BASE.toBuilder()).build();
    }

    private static CacheKey simple(SessionFingerprint f, String sql) {
        return CacheKey.forSimpleQuery(f, sql);
    }

    private static CacheKey extended(String sql, byte[]... values) {
        return extendedKey(sql, NO_TYPES, values, NO_FORMATS, NO_FORMATS);
    }

    private static CacheKey extendedKey(String sql, int[] types, byte[][] values, short[] parameterFormats,
                                        short[] resultFormats) {
        return CacheKey.forExtendedQuery(CacheKey.prefix(BASE), "PBdE", sql, types, java.util.Arrays.asList(values),
                parameterFormats, resultFormats);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.pgmemo.cache.key;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends the fields of a key in an unambiguous form: every field is preceded by its tag, every
 * variable-length value by its length, and a null by length -1 (so null and empty differ).
 */
final class KeyWriter {
    private static final int NULL_LENGTH = -1;

    private byte[] buf;
    private int size;

    KeyWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    KeyWriter tag(char tag) {
        ensure(1);
        buf[size++] = (byte) tag;
        return this;
    }

    KeyWriter int32(int value) {
        ensure(4);
        buf[size++] = (byte) (value >>> 24);
        buf[size++] = (byte) (value >>> 16);
        buf[size++] = (byte) (value >>> 8);
        buf[size++] = (byte) value;
        return this;
    }

    KeyWriter string(char tag, String value) {
        return bytes(tag, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    KeyWriter bytes(char tag, byte[] value) {
        tag(tag);
        return lengthPrefixed(value);
    }

    KeyWriter lengthPrefixed(byte[] value) {
        if (value == null) {
            return int32(NULL_LENGTH);
        }
        int32(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, buf, size, value.length);
        size += value.length;
        return this;
    }

    KeyWriter ints(char tag, int[] values) {
        tag(tag).int32(values.length);
        for (int v : values) {
            int32(v);
        }
        return this;
    }

    KeyWriter shorts(char tag, short[] values) {
        tag(tag).int32(values.length);
        for (short v : values) {
            int32(v);
        }
        return this;
    }

    /** The bytes written; the writer's own array when it was sized exactly (do not write after this). */
    byte[] toByteArray() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }
}

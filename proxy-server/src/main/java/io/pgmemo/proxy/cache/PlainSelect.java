package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;

/**
 * Recognizes, from a Query's bytes alone, one plain SELECT: no parenthesis (so no function call,
 * subquery or cast with arguments), no second statement, no comment, no dollar quote, no INTO. Such
 * a read changes nothing: no data, no session state, nothing another database's entries depend on.
 * It lets a session whose database's catalog cannot be read relay it at the cost of a plain relay,
 * without decoding or classifying it. Works on the bytes of any encoding the server offers as a
 * client_encoding (none has these ASCII characters inside a multi-byte character).
 */
final class PlainSelect {
    private static final byte[] SELECT = {'S', 'E', 'L', 'E', 'C', 'T'};
    private static final byte[] INTO = {'I', 'N', 'T', 'O'};

    private PlainSelect() {
    }

    /** @param query a Query message's body: the text and its terminating zero byte */
    static boolean matches(ByteBuf query) {
        int start = query.readerIndex();
        int end = query.writerIndex() - 1;
        while (start < end && isSpace(query.getByte(start))) {
            start++;
        }
        if (!wordAt(query, start, end, SELECT) || start + SELECT.length >= end
                || !isSpace(query.getByte(start + SELECT.length))) {
            return false;
        }
        boolean terminated = false;
        for (int i = start + SELECT.length; i < end; i++) {
            byte b = query.getByte(i);
            if (terminated && !isSpace(b)) {
                return false;
            }
            switch (b) {
                case '(', '$', '-', '/', 0 -> {
                    return false;
                }
                case ';' -> terminated = true;
                case 'I', 'i' -> {
                    if (wordAt(query, i, end, INTO)) {
                        return false;
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    private static boolean wordAt(ByteBuf query, int at, int end, byte[] word) {
        if (at + word.length > end) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if ((query.getByte(at + i) & ~0x20) != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f';
    }
}

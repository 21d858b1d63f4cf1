package io.pgmemo.proxy.cache;

import io.netty.buffer.ByteBuf;

/**
 * The response of a cache miss as it streams to the client: RowDescription, DataRows and
 * CommandComplete, copied until it would exceed the entry size cap (then it is dropped and the rest
 * only streams through).
 */
final class ResultCapture {
    private final long maxBytes;
    private byte[] bytes = new byte[256];
    private int length;
    private long rows;
    private boolean abandoned;

    ResultCapture(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void append(ByteBuf frame, boolean dataRow) {
        if (abandoned) {
            return;
        }
        int size = frame.readableBytes();
        if (length + (long) size > maxBytes) {
            abandon();
            return;
        }
        if (length + size > bytes.length) {
            byte[] grown = new byte[Math.max(bytes.length * 2, length + size)];
            System.arraycopy(bytes, 0, grown, 0, length);
            bytes = grown;
        }
        frame.getBytes(frame.readerIndex(), bytes, length, size);
        length += size;
        if (dataRow) {
            rows++;
        }
    }

    void abandon() {
        abandoned = true;
        bytes = null;
    }

    boolean isAbandoned() {
        return abandoned;
    }

    long rows() {
        return rows;
    }

    byte[] toByteArray() {
        return java.util.Arrays.copyOf(bytes, length);
    }
}

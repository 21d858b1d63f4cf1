package io.pgmemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One complete typed message exactly as it arrived: type byte, Int32 length, body.
 * {@link #content()} is a retained slice of the receive buffer, so forwarding a frame
 * copies nothing. Typed views are decoded from {@link #body()} only where the proxy needs them.
 */
public final class Frame extends DefaultByteBufHolder {

    /** Type byte plus the Int32 length. */
    public static final int HEADER_LENGTH = 5;

    private final byte type;

    public Frame(ByteBuf whole) {
        super(whole);
        this.type = whole.getByte(whole.readerIndex());
    }

    public byte type() {
        return type;
    }

    public FrontendType frontendType() {
        return FrontendType.of(type);
    }

    public BackendType backendType() {
        return BackendType.of(type);
    }

    /** The message body after the length word, as a slice sharing this frame's memory (not retained). */
    public ByteBuf body() {
        ByteBuf whole = content();
        return whole.slice(whole.readerIndex() + HEADER_LENGTH, whole.readableBytes() - HEADER_LENGTH);
    }

    /** Total bytes on the wire. */
    public int length() {
        return content().readableBytes();
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(content);
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return "Frame('" + (char) type + "', " + length() + " bytes)";
    }
}

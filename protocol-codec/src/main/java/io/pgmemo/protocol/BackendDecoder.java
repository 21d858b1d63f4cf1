package io.pgmemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the upstream's byte stream into typed {@link Frame}s, each a retained slice of the input.
 * PostgreSQL never sends a message over 1 GB (MaxAllocSize), so anything larger means the stream
 * is corrupt.
 */
public final class BackendDecoder extends ByteToMessageDecoder {

    public static final int MAX_BACKEND_MESSAGE = 0x3FFF_FFFF + Frame.HEADER_LENGTH;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Frame.HEADER_LENGTH) {
            int start = in.readerIndex();
            int length = in.getInt(start + 1);
            if (length < 4 || length > MAX_BACKEND_MESSAGE - 1) {
                in.skipBytes(in.readableBytes());
                throw new ProtocolViolationException("invalid message length " + length + " from server");
            }
            if (in.readableBytes() < length + 1) {
                return;
            }
            out.add(new Frame(in.readRetainedSlice(length + 1)));
        }
    }
}

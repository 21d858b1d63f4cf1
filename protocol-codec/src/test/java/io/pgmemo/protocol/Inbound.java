package io.pgmemo.protocol;

import static io.pgmemo.protocol.WireBytes.buffer;
import static io.pgmemo.protocol.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feeding bytes into a decoder in an {@link EmbeddedChannel} the way a socket would, and collecting,
 * describing and releasing what comes out.
 */
public final class Inbound {

    private final EmbeddedChannel channel;
    private final List<ByteBuf> written = new ArrayList<>();
    private final List<Object> received = new ArrayList<>();

    public Inbound(EmbeddedChannel channel) {
        this.channel = channel;
    }

    /** Writes the bytes as one read; what the decoder emits is collected. */
    public Inbound write(byte[] bytes) {
        ByteBuf in = buffer(bytes);
        written.add(in);
        try {
            channel.writeInbound(in);
        } finally {
            drain();
        }
        return this;
    }

    /** Writes the bytes as reads of at most chunkSize bytes each. */
    public Inbound writeInChunks(byte[] bytes, int chunkSize) {
        for (int from = 0; from < bytes.length; from += chunkSize) {
            write(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + chunkSize)));
        }
        return this;
    }

    private void drain() {
        for (Object message; (message = channel.readInbound()) != null; ) {
            received.add(message);
        }
    }

    /** What the decoder emitted so far (still owned by this object: {@link #close()} releases it). */
    public List<Object> received() {
        return received;
    }

    /** Emitted messages as a peer compares them: frames as the hex of their bytes, startup packets as themselves. */
    public List<Object> observed() {
        return received.stream().map(Inbound::observed).toList();
    }

    public static Object observed(Object message) {
        return message instanceof Frame frame ? frameHex(ByteBufUtil.getBytes(frame.content())) : message;
    }

    /** How {@link #observed()} shows a frame with these bytes. */
    public static String frameHex(byte[] wire) {
        return "Frame " + hex(wire);
    }

    /**
     * Releases everything emitted, closes the channel (which must hold nothing more), and checks that
     * no byte of input or output is still referenced.
     */
    public void close() {
        received.forEach(ReferenceCountUtil::release);
        boolean leftOver = channel.finishAndReleaseAll();
        // Frames are slices sharing their input's count, so counts reach zero only once all are released.
        for (Object message : received) {
            if (message instanceof ReferenceCounted counted) {
                assertThat(counted.refCnt()).as("refCnt of %s after release", message).isZero();
            }
        }
        assertThat(leftOver).as("messages left in the channel").isFalse();
        for (ByteBuf in : written) {
            assertThat(in.refCnt()).as("refCnt of an input buffer").isZero();
        }
    }
}

package io.pgmemo.proxy.cache;

import io.pgmemo.cache.sql.TimeLiterals;
import io.pgmemo.protocol.Frame;
import io.pgmemo.protocol.frontend.Bind;
import io.pgmemo.protocol.frontend.Close;
import io.pgmemo.protocol.frontend.Describe;
import io.pgmemo.protocol.frontend.Execute;
import io.pgmemo.protocol.frontend.FrontendMessage;
import io.pgmemo.protocol.frontend.Parse;
import io.pgmemo.protocol.frontend.TargetKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The extended-protocol messages of one cycle (up to Sync), held while the cycle may still be
 * answered from the cache. Only one shape can be: {@code [Parse] [Describe statement] Bind
 * [Describe portal] Execute [Close portal]}, one statement, one portal, every row (no row limit). The
 * response depends on which of these messages came, so the key holds them ({@link #signature}).
 */
final class ExtendedCycle {
    static final int MAX_BYTES = 1 << 20;

    private final List<Frame> frames = new ArrayList<>(6);
    private final StringBuilder signature = new StringBuilder(6);
    private long bytes;
    private boolean answerable = true;
    private Parse parse;
    private Frame parseFrame;
    private String statement;
    private Bind bind;
    private Execute execute;

    /** Holds the next message; false once the cycle cannot be answered from the cache. */
    boolean add(Frame frame) {
        frames.add(frame);
        bytes += frame.content().readableBytes();
        answerable = answerable && bytes <= MAX_BYTES && fits(frame, FrontendMessage.decode(frame));
        return answerable;
    }

    private boolean fits(Frame frame, FrontendMessage message) {
        if (message instanceof Parse p) {
            parse = p;
            parseFrame = frame;
            statement = p.statement();
            return note('P', frames.size() == 1);
        }
        if (message instanceof Describe d && d.kind() == TargetKind.STATEMENT) {
            boolean first = statement == null;
            statement = first ? d.name() : statement;
            return note('s', bind == null && statement.equals(d.name()));
        }
        if (message instanceof Bind b) {
            boolean sameStatement = statement == null || statement.equals(b.statement());
            statement = b.statement();
            bind = b;
            return note('B', sameStatement && signature.indexOf("B") < 0);
        }
        if (message instanceof Describe d) {
            return note('d', bind != null && execute == null && bind.portal().equals(d.name()));
        }
        if (message instanceof Execute e) {
            execute = e;
            return note('E', bind != null && signature.indexOf("E") < 0 && bind.portal().equals(e.portal())
                    && e.maxRows() == 0);
        }
        if (message instanceof Close c && c.kind() == TargetKind.PORTAL) {
            return note('c', execute != null && bind.portal().equals(c.name()));
        }
        return false;
    }

    private boolean note(char message, boolean fits) {
        signature.append(message);
        return fits;
    }

    /** Held messages still form the one answerable shape, with its Bind and Execute. */
    boolean isAnswerable() {
        return answerable && bind != null && execute != null;
    }

    /** The held frames, in order; the caller owns them from now on. */
    List<Frame> frames() {
        return frames;
    }

    String signature() {
        return signature.toString();
    }

    /** The cycle's own Parse, or null when it binds a statement prepared earlier. */
    Parse parse() {
        return parse;
    }

    Frame parseFrame() {
        return parseFrame;
    }

    Bind bind() {
        return bind;
    }

    /** A text parameter such as 'now' or 'today' makes the result depend on the clock. */
    boolean hasTimeDependentParameter() {
        short[] formats = bind.parameterFormats();
        List<byte[]> values = bind.parameters();
        for (int i = 0; i < values.size(); i++) {
            short format = formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            byte[] value = values.get(i);
            if (format == 0 && value != null
                    && TimeLiterals.isTimeDependent(new String(value, StandardCharsets.ISO_8859_1))) {
                return true;
            }
        }
        return false;
    }

    void release() {
        frames.forEach(Frame::release);
        frames.clear();
    }
}

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
import java.util.List;

/**
 * One statement's run of messages in an {@link ExtendedCycle}: {@code [Parse] [Describe statement]
 * Bind [Describe portal] Execute [Close portal]}. A row-limited Execute is answered as the upstream
 * answered it, with PortalSuspended; the portal ends with the cycle's implicit transaction anyway. Its reply depends on which of these came, so the
 * cache key holds them ({@link #signature}).
 */
final class CycleUnit {
    private final StringBuilder signature = new StringBuilder(6);
    private Parse parse;
    private Frame parseFrame;
    private String statement;
    private Bind bind;
    private Execute execute;

    /** Adds a message; false when it does not fit the shape. */
    boolean add(Frame frame, FrontendMessage message) {
        if (message instanceof Parse p) {
            parse = p;
            parseFrame = frame;
            statement = p.statement();
            return note('P', signature.length() == 0);
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
            boolean fits = bind != null && execute == null && bind.portal().equals(e.portal());
            execute = e;
            return note('E', fits);
        }
        if (message instanceof Close c && c.kind() == TargetKind.PORTAL) {
            return note('c', execute != null && signature.indexOf("c") < 0 && bind.portal().equals(c.name()));
        }
        return false;
    }

    private boolean note(char message, boolean fits) {
        signature.append(message);
        return fits;
    }

    boolean executed() {
        return execute != null;
    }

    /**
     * Which messages came after the Parse, one letter each, and the Execute's row limit when it has
     * one (pgjdbc's batches ask for one row): the reply depends on both. A Parse only adds a
     * ParseComplete in front, so a statement's first run and its later ones share their entry.
     */
    String signature() {
        String letters = parse == null ? signature.toString() : signature.substring(1);
        return execute.maxRows() == 0 ? letters : letters + "#" + execute.maxRows();
    }

    /** The unit's messages: its reply has one completion for each (see {@link CapturedRead#completes}). */
    int messages() {
        return signature.length();
    }

    /** The unit's own Parse, or null. */
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
}

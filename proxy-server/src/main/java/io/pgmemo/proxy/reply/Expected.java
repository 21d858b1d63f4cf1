package io.pgmemo.proxy.reply;

/**
 * One entry of a {@link ReplyQueue}: the replies of one request (a Query, a Sync, a FunctionCall, or
 * the proxy's own query) up to and including its ReadyForQuery. The cache's entries carry what it
 * does with the replies; a plain relay uses {@link #RELAY}.
 */
public interface Expected {
    /** Replies go to the client unchanged. */
    Expected RELAY = () -> false;

    /** The replies are the proxy's own: the client never sees them. */
    boolean swallowed();
}

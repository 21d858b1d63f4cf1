package io.pgmemo.proxy.reply;

import io.pgmemo.protocol.BackendType;

/**
 * The upstream sent a reply the session expects nothing for: the proxy no longer knows which
 * request it answers, so the session cannot go on (08P01).
 */
public final class RepliesOutOfStep extends Exception {
    public RepliesOutOfStep(BackendType type) {
        super("pgmemo received a " + type + " from the upstream server that answers no request of this session");
    }
}

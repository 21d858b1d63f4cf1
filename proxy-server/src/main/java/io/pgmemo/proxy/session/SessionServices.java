package io.pgmemo.proxy.session;

import io.pgmemo.proxy.auth.AuthFile;
import io.pgmemo.proxy.cache.QueryCache;
import io.pgmemo.proxy.tls.ClientTls;

/**
 * What every session of one server shares, fixed at start-up.
 *
 * @param queryCache the result cache, or null when caching is off
 * @param logins     the users pgmemo authenticates itself; {@link AuthFile#NONE} relays every login
 * @param deferBegin answer a plain BEGIN at once and send it with the next request ({@link DeferredBegin})
 */
public record SessionServices(UpstreamConnector connector, SessionRegistry registry, QueryCache queryCache,
                              ClientTls tls, AuthFile logins, boolean deferBegin) {
}

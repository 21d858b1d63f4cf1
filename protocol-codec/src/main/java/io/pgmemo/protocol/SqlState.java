package io.pgmemo.protocol;

/** The SQLSTATE codes the proxy itself raises (PostgreSQL Appendix A). */
public final class SqlState {
    private SqlState() {
    }

    public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";
    public static final String CONNECTION_FAILURE = "08006";
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    public static final String QUERY_CANCELED = "57014";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    public static final String INTERNAL_ERROR = "XX000";
}

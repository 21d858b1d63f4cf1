package io.pgmemo.proxy.testing;

import java.sql.SQLException;

/** A piece of JDBC work, for comparing how it ends through the proxy and directly. */
@FunctionalInterface
public interface SqlCall {
    void run() throws Exception;

    /** The SQLSTATE the call failed with; fails the test if it did not fail with an SQLException. */
    static String sqlStateOf(SqlCall call) {
        try {
            call.run();
        } catch (SQLException e) {
            return e.getSQLState();
        } catch (Exception e) {
            throw new AssertionError("expected an SQLException, got " + e, e);
        }
        throw new AssertionError("expected an SQLException, but the call succeeded");
    }
}

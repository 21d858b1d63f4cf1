package io.pgmemo.proxy.cache;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How one query ended, in comparable form: column labels and every value as text and as raw bytes
 * (simple protocol: the wire text; decoded bytes for bytea), or the error's SQLSTATE and message.
 *
 * <p>Deliberately avoids ResultSetMetaData calls that make pgjdbc query pg_type through the same
 * connection (getColumnTypeName and friends): such look-ups would be extra statements in the session
 * and could change what the cache does between the statements under test.
 */
record Outcome(List<String> columns, List<List<String>> text, List<List<String>> bytes, String sqlState,
               String message) {
    private static final HexFormat HEX = HexFormat.of();

    static Outcome of(Connection connection, String sql) {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return of(rs);
        } catch (SQLException e) {
            return failed(e);
        }
    }

    static Outcome failed(SQLException e) {
        return new Outcome(null, null, null, e.getSQLState(), e.getMessage());
    }

    static Outcome of(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i));
        }
        List<List<String>> text = new ArrayList<>();
        List<List<String>> bytes = new ArrayList<>();
        while (rs.next()) {
            List<String> textRow = new ArrayList<>();
            List<String> bytesRow = new ArrayList<>();
            for (int i = 1; i <= columns.size(); i++) {
                textRow.add(rs.getString(i));
                byte[] raw = rs.getBytes(i);
                bytesRow.add(raw == null ? null : HEX.formatHex(raw));
            }
            text.add(textRow);
            bytes.add(bytesRow);
        }
        return new Outcome(List.copyOf(columns), text, bytes, null, null);
    }

    boolean failed() {
        return sqlState != null;
    }

    int size() {
        return text == null ? 0 : text.size();
    }

    /** The first column of the first row, as text. */
    String first() {
        if (failed() || text.isEmpty()) {
            throw new AssertionError("no first value in " + this);
        }
        return text.get(0).get(0);
    }

    @Override
    public String toString() {
        if (failed()) {
            return "error " + sqlState + ": " + message;
        }
        String rows = text.size() <= 6 ? text.toString() : text.subList(0, 6) + "... (" + text.size() + " rows)";
        return columns + " " + rows;
    }
}

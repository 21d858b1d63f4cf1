package io.pgmemo.proxy.testing;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything a client sees of a result set, in comparable form: column labels, type names, and
 * each value as {@code getString} and as the raw bytes {@code getBytes} returns (the wire value for
 * binary-format columns, the text for the others, decoded bytes for bytea), null as null. For bytea
 * columns only the bytes are kept.
 */
public record Rows(List<String> columns, List<String> types, List<List<String>> strings, List<List<String>> bytes) {
    private static final HexFormat HEX = HexFormat.of();
    private static final String BYTEA = "bytea";

    public static Rows of(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i));
            types.add(meta.getColumnTypeName(i));
        }
        List<List<String>> strings = new ArrayList<>();
        List<List<String>> bytes = new ArrayList<>();
        while (rs.next()) {
            List<String> stringRow = new ArrayList<>();
            List<String> bytesRow = new ArrayList<>();
            for (int i = 1; i <= columns.size(); i++) {
                // pgjdbc's getString on a binary-format bytea is Object.toString() ("[B@..."): use the bytes.
                stringRow.add(BYTEA.equals(types.get(i - 1)) ? null : rs.getString(i));
                byte[] raw = rs.getBytes(i);
                bytesRow.add(raw == null ? null : HEX.formatHex(raw));
            }
            strings.add(stringRow);
            bytes.add(bytesRow);
        }
        return new Rows(List.copyOf(columns), List.copyOf(types), strings, bytes);
    }

    /** Runs {@code sql} on a fresh statement and captures the result. */
    public static Rows query(java.sql.Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return of(rs);
        }
    }

    public int size() {
        return strings.size();
    }
}

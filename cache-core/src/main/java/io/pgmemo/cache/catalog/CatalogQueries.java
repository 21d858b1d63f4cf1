package io.pgmemo.cache.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog SQL, over one JDBC connection to the upstream database (blocking; serialized). The
 * connection is opened on first use and again after a failure. Every query names pg_catalog objects
 * explicitly, and the connection's search_path is pg_catalog only, so user objects cannot interfere.
 */
final class CatalogQueries implements AutoCloseable {

    /**
     * What a relation depends on when read: see {@link #dependencies}. pg_depend omits pinned objects
     * (pg_catalog relations and functions such as now()), so the SQL text of the view and of the
     * policies is returned too, to be classified like any query.
     */
    record Dependencies(List<Long> relations, List<Long> functions, List<Long> children, List<String> definitions) {
    }

    /** What writing a relation may set off besides the write itself. */
    /**
     * @param writingExpressions a column default, check constraint, domain constraint of a column's type
     *                           or row-level security policy calls a VOLATILE function outside pg_catalog
     */
    record WriteEffects(boolean triggersOrRules, boolean writingExpressions, List<Long> cascadeTargets) {
    }

    private static final String RELATION_COLUMNS = "SELECT c.oid::int8, n.nspname, c.relname, c.relkind, "
            + "c.relpersistence, c.relrowsecurity FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ";

    private static final String ROUTINE_COLUMNS = "SELECT p.oid::int8, n.nspname, p.proname, p.provolatile, "
            + "p.prosecdef, p.prokind, p.pronargs, "
            + "p.pronargs = 1 AND (t.typtype IN ('c', 'p') OR t.typrelid <> 0) AS takes_one_row, "
            + "ARRAY(SELECT s::int8 FROM pg_catalog.pg_aggregate a, LATERAL unnest(ARRAY[a.aggtransfn::oid, "
            + "a.aggfinalfn::oid, a.aggcombinefn::oid, a.aggserialfn::oid, a.aggdeserialfn::oid, "
            + "a.aggmtransfn::oid, a.aggminvtransfn::oid, a.aggmfinalfn::oid]) s "
            + "WHERE a.aggfnoid = p.oid AND s <> 0::oid) AS support "
            + "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            + "LEFT JOIN pg_catalog.pg_type t ON t.oid = p.proargtypes[0] ";

    /**
     * A view's SELECT rule and a table's row-level security policies: the relations, functions and
     * operator functions they use (pg_depend); and the inheritance children and partitions.
     */
    private static final String DEPENDENCIES = "WITH deps AS ("
            + " SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d"
            + "  ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid"
            + "  WHERE r.ev_class = ?::oid AND r.ev_type = '1'"
            + " UNION SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_depend d"
            + "  ON d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid WHERE p.polrelid = ?::oid)"
            + " SELECT 'r', refobjid::int8 FROM deps"
            + "  WHERE refclassid = 'pg_catalog.pg_class'::regclass AND refobjid <> ?::oid"
            + " UNION SELECT 'f', refobjid::int8 FROM deps WHERE refclassid = 'pg_catalog.pg_proc'::regclass"
            + " UNION SELECT 'f', o.oprcode::oid::int8 FROM deps JOIN pg_catalog.pg_operator o ON o.oid = deps.refobjid"
            + "  WHERE deps.refclassid = 'pg_catalog.pg_operator'::regclass"
            + " UNION SELECT 'c', inhrelid::int8 FROM pg_catalog.pg_inherits WHERE inhparent = ?::oid";

    /** Deparsed with search_path = pg_catalog: every name outside pg_catalog comes out schema-qualified. */
    private static final String DEFINITIONS = "SELECT pg_catalog.pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c"
            + " WHERE c.oid = ?::oid AND c.relkind = 'v'"
            + " UNION ALL SELECT 'SELECT ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) FROM pg_catalog.pg_policy p"
            + " WHERE p.polrelid = ?::oid AND p.polqual IS NOT NULL";

    private static final String WRITE_EFFECTS = "SELECT"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = ?::oid AND NOT t.tgisinternal)"
            + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.ev_class = ?::oid AND r.rulename <> '_RETURN'),"
            + " ARRAY(SELECT c.conrelid::int8 FROM pg_catalog.pg_constraint c WHERE c.contype = 'f'"
            + "  AND c.confrelid = ?::oid AND (c.confdeltype IN ('c', 'n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))),"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid"
            + "  WHERE d.refclassid = 'pg_catalog.pg_proc'::regclass AND p.provolatile = 'v'"
            + "  AND p.pronamespace <> 'pg_catalog'::regnamespace AND ("
            + "   (d.classid = 'pg_catalog.pg_attrdef'::regclass"
            + "    AND d.objid IN (SELECT a.oid FROM pg_catalog.pg_attrdef a WHERE a.adrelid = ?::oid))"
            + "   OR (d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid IN (SELECT c.oid"
            + "    FROM pg_catalog.pg_constraint c WHERE c.conrelid = ?::oid OR c.contypid IN"
            + "     (SELECT t.atttypid FROM pg_catalog.pg_attribute t WHERE t.attrelid = ?::oid)))"
            + "   OR (d.classid = 'pg_catalog.pg_policy'::regclass"
            + "    AND d.objid IN (SELECT y.oid FROM pg_catalog.pg_policy y WHERE y.polrelid = ?::oid))))";

    private final CatalogConnector connector;
    private Connection connection;

    CatalogQueries(CatalogConnector connector) {
        this.connector = connector;
    }

    synchronized Map<String, List<Relation>> relationsNamed(Collection<String> names) throws SQLException {
        Map<String, List<Relation>> out = new HashMap<>();
        names.forEach(n -> out.put(n, new ArrayList<>()));
        for (Relation r : relations(RELATION_COLUMNS + "WHERE c.relname = ANY(?)", textArray(names))) {
            out.get(r.name()).add(r);
        }
        return out;
    }

    synchronized Map<Long, Relation> relationsByOid(Collection<Long> oids) throws SQLException {
        Map<Long, Relation> out = new HashMap<>();
        for (Relation r : relations(RELATION_COLUMNS + "WHERE c.oid = ANY(?::oid[])", longArray(oids))) {
            out.put(r.oid(), r);
        }
        return out;
    }

    synchronized Map<String, List<Routine>> routinesNamed(Collection<String> names) throws SQLException {
        Map<String, List<Routine>> out = new HashMap<>();
        names.forEach(n -> out.put(n, new ArrayList<>()));
        for (Routine r : routines(ROUTINE_COLUMNS + "WHERE p.proname = ANY(?)", textArray(names))) {
            out.get(r.name()).add(r);
        }
        return out;
    }

    synchronized Map<Long, Routine> routinesByOid(Collection<Long> oids) throws SQLException {
        Map<Long, Routine> out = new HashMap<>();
        for (Routine r : routines(ROUTINE_COLUMNS + "WHERE p.oid = ANY(?::oid[])", longArray(oids))) {
            out.put(r.oid(), r);
        }
        return out;
    }

    /** The functions behind operators with these names outside pg_catalog (no built-in one is volatile). */
    synchronized Map<String, List<Long>> userOperatorFunctions(Collection<String> symbols) throws SQLException {
        Map<String, List<Long>> out = new HashMap<>();
        symbols.forEach(s -> out.put(s, new ArrayList<>()));
        String sql = "SELECT o.oprname, o.oprcode::oid::int8 FROM pg_catalog.pg_operator o WHERE o.oprname = ANY(?)"
                + " AND o.oprnamespace <> 'pg_catalog'::regnamespace AND o.oprcode::oid <> 0::oid";
        try (PreparedStatement ps = prepare(sql)) {
            ps.setArray(1, textArray(symbols));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.get(rs.getString(1)).add(rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Schema name to whether {@code role} has USAGE on it (search_path skips the others). */
    synchronized Map<String, Boolean> schemaUsage(String role) throws SQLException {
        Map<String, Boolean> out = new HashMap<>();
        String sql = "SELECT n.nspname, pg_catalog.has_schema_privilege(?, n.oid, 'USAGE') FROM pg_catalog.pg_namespace n";
        try (PreparedStatement ps = prepare(sql)) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        return out;
    }

    synchronized Dependencies dependencies(long oid) throws SQLException {
        List<Long> relations = new ArrayList<>();
        List<Long> functions = new ArrayList<>();
        List<Long> children = new ArrayList<>();
        try (PreparedStatement ps = prepare(DEPENDENCIES)) {
            for (int i = 1; i <= 4; i++) {
                ps.setLong(i, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String what = rs.getString(1);
                    List<Long> list = what.equals("r") ? relations : what.equals("f") ? functions : children;
                    list.add(rs.getLong(2));
                }
            }
        }
        return new Dependencies(relations, functions, children, definitions(oid));
    }

    private List<String> definitions(long oid) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(DEFINITIONS)) {
            ps.setLong(1, oid);
            ps.setLong(2, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    synchronized WriteEffects writeEffects(long oid) throws SQLException {
        try (PreparedStatement ps = prepare(WRITE_EFFECTS)) {
            for (int i = 1; i <= 7; i++) {
                ps.setLong(i, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new WriteEffects(rs.getBoolean(1), rs.getBoolean(3), longs(rs.getArray(2)));
            }
        }
    }

    /** Drops the connection after a failure; the next query opens a new one. */
    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // already broken
            }
            connection = null;
        }
    }

    private List<Relation> relations(String sql, Array parameter) throws SQLException {
        List<Relation> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql)) {
            ps.setArray(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                            rs.getString(5).charAt(0), rs.getBoolean(6)));
                }
            }
        }
        return out;
    }

    private List<Routine> routines(String sql, Array parameter) throws SQLException {
        List<Routine> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql)) {
            ps.setArray(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Routine(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                            rs.getBoolean(5), rs.getString(6).charAt(0), rs.getInt(7), rs.getBoolean(8),
                            longs(rs.getArray(9))));
                }
            }
        }
        return out;
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        return connection().prepareStatement(sql);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connector.connect();
            connection.setAutoCommit(true);
            connection.setReadOnly(true);
            try (Statement s = connection.createStatement()) {
                s.execute("SET search_path = pg_catalog; SET standard_conforming_strings = on;"
                        + " SET statement_timeout = '10s'");
            }
        }
        return connection;
    }

    private Array textArray(Collection<String> values) throws SQLException {
        return connection().createArrayOf("text", values.toArray());
    }

    private Array longArray(Collection<Long> values) throws SQLException {
        return connection().createArrayOf("int8", values.toArray());
    }

    private static List<Long> longs(Array array) throws SQLException {
        List<Long> out = new ArrayList<>();
        if (array != null) {
            for (Object o : (Object[]) array.getArray()) {
                out.add(((Number) o).longValue());
            }
        }
        return out;
    }
}

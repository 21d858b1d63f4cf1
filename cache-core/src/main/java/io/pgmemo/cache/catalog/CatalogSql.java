package io.pgmemo.cache.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalog SQL, as {@link CatalogLookUp}s that put their answers into a memo's maps. Values are
 * written into the text as literals (E'' strings, which read the same whatever
 * standard_conforming_strings says, and numbers), since a simple Query has no parameters; every
 * name outside pg_catalog is qualified and the look-up runs with search_path = pg_catalog.
 */
final class CatalogSql {

    /**
     * What a relation depends on when read: see {@link #dependencies}. pg_depend omits pinned objects
     * (pg_catalog relations and functions such as now()), so the SQL text of the view and of the
     * policies is returned too, to be classified like any query.
     */
    record Dependencies(List<Long> relations, List<Long> functions, List<Long> children, List<String> definitions) {
    }

    /**
     * What writing a relation may set off besides the write itself.
     *
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
     * A view's SELECT rule and a table's row-level security policies: the relations ('r'), functions
     * and operator functions ('f') they use (pg_depend); the inheritance children and partitions
     * ('c'); and the view's query and the policies' USING expressions ('d'), deparsed with search_path
     * = pg_catalog, so every name outside pg_catalog comes out schema-qualified.
     */
    private static final String DEPENDENCIES = "WITH deps AS ("
            + " SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d"
            + "  ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid"
            + "  WHERE r.ev_class = $1 AND r.ev_type = '1'"
            + " UNION SELECT d.refclassid, d.refobjid FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_depend d"
            + "  ON d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = p.oid WHERE p.polrelid = $1)"
            + " SELECT 'r', refobjid::int8::text FROM deps"
            + "  WHERE refclassid = 'pg_catalog.pg_class'::regclass AND refobjid <> $1"
            + " UNION SELECT 'f', refobjid::int8::text FROM deps WHERE refclassid = 'pg_catalog.pg_proc'::regclass"
            + " UNION SELECT 'f', o.oprcode::oid::int8::text FROM deps JOIN pg_catalog.pg_operator o"
            + "  ON o.oid = deps.refobjid WHERE deps.refclassid = 'pg_catalog.pg_operator'::regclass"
            + " UNION SELECT 'c', inhrelid::int8::text FROM pg_catalog.pg_inherits WHERE inhparent = $1"
            + " UNION ALL SELECT 'd', pg_catalog.pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c"
            + "  WHERE c.oid = $1 AND c.relkind = 'v'"
            + " UNION ALL SELECT 'd', 'SELECT ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid)"
            + "  FROM pg_catalog.pg_policy p WHERE p.polrelid = $1 AND p.polqual IS NOT NULL";

    private static final String WRITE_EFFECTS = "SELECT"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal)"
            + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.ev_class = $1 AND r.rulename <> '_RETURN'),"
            + " ARRAY(SELECT c.conrelid::int8 FROM pg_catalog.pg_constraint c WHERE c.contype = 'f'"
            + "  AND c.confrelid = $1 AND (c.confdeltype IN ('c', 'n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))),"
            + " EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid"
            + "  WHERE d.refclassid = 'pg_catalog.pg_proc'::regclass AND p.provolatile = 'v'"
            + "  AND p.pronamespace <> 'pg_catalog'::regnamespace AND ("
            + "   (d.classid = 'pg_catalog.pg_attrdef'::regclass"
            + "    AND d.objid IN (SELECT a.oid FROM pg_catalog.pg_attrdef a WHERE a.adrelid = $1))"
            + "   OR (d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid IN (SELECT c.oid"
            + "    FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1 OR c.contypid IN"
            + "     (SELECT t.atttypid FROM pg_catalog.pg_attribute t WHERE t.attrelid = $1)))"
            + "   OR (d.classid = 'pg_catalog.pg_policy'::regclass"
            + "    AND d.objid IN (SELECT y.oid FROM pg_catalog.pg_policy y WHERE y.polrelid = $1))))";

    private CatalogSql() {
    }

    static CatalogLookUp relationsNamed(Collection<String> names, Map<String, List<Relation>> into) {
        return byName("relations", RELATION_COLUMNS + "WHERE c.relname = ANY(" + textArray(names) + ")", names,
                CatalogSql::relation, Relation::name, into);
    }

    static CatalogLookUp relationsByOid(Collection<Long> oids, Map<Long, Relation> into) {
        return byOid("relations", RELATION_COLUMNS + "WHERE c.oid = ANY(" + oidArray(oids) + ")", oids,
                CatalogSql::relation, Relation::oid, Relation.GONE, into);
    }

    static CatalogLookUp routinesNamed(Collection<String> names, Map<String, List<Routine>> into) {
        return byName("functions", ROUTINE_COLUMNS + "WHERE p.proname = ANY(" + textArray(names) + ")", names,
                CatalogSql::routine, Routine::name, into);
    }

    static CatalogLookUp routinesByOid(Collection<Long> oids, Map<Long, Routine> into) {
        return byOid("functions", ROUTINE_COLUMNS + "WHERE p.oid = ANY(" + oidArray(oids) + ")", oids,
                CatalogSql::routine, Routine::oid, Routine.GONE, into);
    }

    /** Every row with each name, in any schema; a name without rows is kept as an empty list. */
    private static <T> CatalogLookUp byName(String what, String sql, Collection<String> names,
                                            Function<String[], T> parse, Function<T, String> nameOf,
                                            Map<String, List<T>> into) {
        return new CatalogLookUp(what + " " + names, sql, rows -> {
            Map<String, List<T>> out = emptyLists(names);
            for (String[] row : rows) {
                T t = parse.apply(row);
                out.get(nameOf.apply(t)).add(t);
            }
            into.putAll(out);
        });
    }

    /** The row of each OID; an OID without one is kept as {@code gone}. */
    private static <T> CatalogLookUp byOid(String what, String sql, Collection<Long> oids,
                                           Function<String[], T> parse, Function<T, Long> oidOf, T gone,
                                           Map<Long, T> into) {
        return new CatalogLookUp(what + " " + oids, sql, rows -> {
            for (String[] row : rows) {
                T t = parse.apply(row);
                into.put(oidOf.apply(t), t);
            }
            oids.forEach(oid -> into.putIfAbsent(oid, gone));
        });
    }

    /** The functions behind operators with these names outside pg_catalog (no built-in one is volatile). */
    static CatalogLookUp userOperatorFunctions(Collection<String> symbols, Map<String, List<Long>> into) {
        String sql = "SELECT o.oprname, o.oprcode::oid::int8 FROM pg_catalog.pg_operator o"
                + " WHERE o.oprname = ANY(" + textArray(symbols) + ")"
                + " AND o.oprnamespace <> 'pg_catalog'::regnamespace AND o.oprcode::oid <> 0::oid";
        return new CatalogLookUp("operators " + symbols, sql, rows -> {
            Map<String, List<Long>> out = emptyLists(symbols);
            for (String[] row : rows) {
                out.get(row[0]).add(Long.parseLong(row[1]));
            }
            into.putAll(out);
        });
    }

    /** Schema name to whether {@code role} has USAGE on it (search_path skips the others). */
    static CatalogLookUp schemaUsage(String role, Map<String, Map<String, Boolean>> into) {
        String sql = "SELECT n.nspname, pg_catalog.has_schema_privilege(" + text(role) + ", n.oid, 'USAGE')"
                + " FROM pg_catalog.pg_namespace n";
        return new CatalogLookUp("schema usage of a role", sql, rows -> {
            Map<String, Boolean> out = new HashMap<>();
            for (String[] row : rows) {
                out.put(row[0], bool(row[1]));
            }
            into.put(role, out);
        });
    }

    static CatalogLookUp dependencies(long oid, Map<Long, Dependencies> into) {
        return new CatalogLookUp("dependencies of " + oid, DEPENDENCIES.replace("$1", oid(oid)), rows -> {
            List<Long> relations = new ArrayList<>();
            List<Long> functions = new ArrayList<>();
            List<Long> children = new ArrayList<>();
            List<String> definitions = new ArrayList<>();
            for (String[] row : rows) {
                switch (row[0]) {
                    case "r" -> relations.add(Long.parseLong(row[1]));
                    case "f" -> functions.add(Long.parseLong(row[1]));
                    case "c" -> children.add(Long.parseLong(row[1]));
                    case "d" -> definitions.add(row[1]);
                    default -> throw new IllegalArgumentException("unexpected dependency kind " + row[0]);
                }
            }
            into.put(oid, new Dependencies(relations, functions, children, definitions));
        });
    }

    static CatalogLookUp writeEffects(long oid, Map<Long, WriteEffects> into) {
        return new CatalogLookUp("write effects of " + oid, WRITE_EFFECTS.replace("$1", oid(oid)), rows -> {
            if (rows.size() != 1) {
                throw new IllegalArgumentException("write effects: expected one row, got " + rows.size());
            }
            String[] row = rows.get(0);
            into.put(oid, new WriteEffects(bool(row[0]), bool(row[2]), longs(row[1])));
        });
    }

    private static Relation relation(String[] row) {
        return new Relation(Long.parseLong(row[0]), row[1], row[2], row[3].charAt(0), row[4].charAt(0), bool(row[5]));
    }

    private static Routine routine(String[] row) {
        return new Routine(Long.parseLong(row[0]), row[1], row[2], row[3].charAt(0), bool(row[4]), row[5].charAt(0),
                Integer.parseInt(row[6]), bool(row[7]), longs(row[8]));
    }

    /** An E'' literal: backslashes and quotes doubled, so it reads the same under any setting. */
    static String text(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String textArray(Collection<String> values) {
        return values.stream().map(CatalogSql::text).collect(Collectors.joining(", ", "ARRAY[", "]::pg_catalog.text[]"));
    }

    private static String oidArray(Collection<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(",", "'{", "}'::pg_catalog.oid[]"));
    }

    private static String oid(long oid) {
        return oid + "::pg_catalog.oid";
    }

    private static boolean bool(String value) {
        return "t".equals(value);
    }

    /** An int8[] in text form: {1,2,3}. */
    private static List<Long> longs(String array) {
        List<Long> out = new ArrayList<>();
        if (array != null && array.length() > 2) {
            for (String element : array.substring(1, array.length() - 1).split(",")) {
                out.add(Long.parseLong(element));
            }
        }
        return out;
    }

    private static <K, V> Map<K, List<V>> emptyLists(Collection<K> keys) {
        Map<K, List<V>> out = new HashMap<>();
        keys.forEach(k -> out.put(k, new ArrayList<>()));
        return out;
    }
}

package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogMemo.NotKept;
import io.pgmemo.cache.catalog.CatalogSql.Dependencies;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.FunctionCall;
import io.pgmemo.cache.sql.QualifiedName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges one read for one session (search_path and role): resolves its names as the server would and
 * collects the relations the result depends on, refusing whatever must not be cached.
 */
final class ReadResolver {

    private final CatalogMemo memo;
    private final CatalogRules rules;
    private final RoutineRules routines;
    /** Schemas searched, in order, pg_catalog included. */
    private final List<String> schemas;
    private final Map<String, Boolean> usage;
    /** The temporary-relation rule applies to the statement's names, not to deparsed definitions. */
    private final boolean statementNames;
    private final Set<Long> dependsOn;
    private final Set<Long> visited;

    ReadResolver(CatalogMemo memo, CatalogRules rules, RoutineRules routines, List<String> schemas,
                 Map<String, Boolean> usage) {
        this.memo = memo;
        this.rules = rules;
        this.routines = routines;
        this.schemas = schemas;
        this.usage = usage;
        this.statementNames = true;
        this.dependsOn = new LinkedHashSet<>();
        this.visited = new LinkedHashSet<>();
    }

    /** Resolves a definition deparsed under search_path = pg_catalog, into the same results. */
    private ReadResolver(ReadResolver parent) {
        this.memo = parent.memo;
        this.rules = parent.rules;
        this.routines = parent.routines;
        this.schemas = List.of(SearchPath.PG_CATALOG);
        this.usage = parent.usage;
        this.statementNames = false;
        this.dependsOn = parent.dependsOn;
        this.visited = parent.visited;
    }

    Set<Long> dependsOn() {
        return dependsOn;
    }

    /** Every call must resolve to safe overloads; attribute notation only counts when such a function exists. */
    void checkCalls(Collection<FunctionCall> calls) throws Refusal, NotKept {
        Map<String, List<Routine>> byName = memo.routinesNamed(calls.stream().map(c -> c.name().name()).toList());
        for (FunctionCall call : calls) {
            List<Routine> candidates = new ArrayList<>();
            for (Routine r : byName.getOrDefault(call.name().name(), List.of())) {
                if (reachable(call.name(), r.schema()) && (!call.attributeNotation() || r.takesOneRow())) {
                    candidates.add(r);
                }
            }
            if (candidates.isEmpty() && !call.attributeNotation()) {
                throw new Refusal("unknown function " + call.name());
            }
            for (Routine r : candidates) {
                try {
                    routines.requireSafe(r, call.attributeNotation() ? 1 : call.argumentCount(), memo);
                } catch (Refusal e) {
                    throw statementNames ? e : hidden(e);
                }
            }
        }
    }

    /** User-defined operators call functions too. */
    void checkOperators(Collection<String> symbols) throws Refusal, NotKept {
        for (List<Long> functions : memo.userOperatorFunctions(symbols).values()) {
            for (long oid : functions) {
                requireSafe(oid);
            }
        }
    }

    /**
     * Resolves candidate names: unqualified ones through search_path (the first usable schema holding the
     * name wins; names that resolve to nothing are columns or aliases), qualified ones in their schema.
     */
    void resolveRelations(Collection<QualifiedName> names) throws Refusal, NotKept {
        Map<String, List<Relation>> byName = memo.relationsNamed(names.stream().map(QualifiedName::name).toList());
        for (QualifiedName name : names) {
            List<Relation> entries = byName.getOrDefault(name.name(), List.of());
            Relation found = name.isQualified() ? inSchema(name, entries) : firstOnPath(name, entries);
            if (found != null) {
                accept(found);
            }
        }
    }

    private Relation inSchema(QualifiedName name, List<Relation> entries) throws Refusal {
        for (Relation r : entries) {
            if (r.schema().equals(name.schema())) {
                return r;
            }
        }
        if (usage.containsKey(name.schema())) {
            throw new Refusal(name + " names a schema but no relation in it");
        }
        return null;
    }

    private Relation firstOnPath(QualifiedName name, List<Relation> entries) throws Refusal {
        for (Relation r : entries) {
            if (statementNames && r.isTemporarySchema()) {
                throw new Refusal(name + " may resolve to a temporary relation (" + r + ")");
            }
        }
        for (String schema : schemas) {
            if (!schema.equals(SearchPath.PG_CATALOG) && !Boolean.TRUE.equals(usage.get(schema))) {
                continue;
            }
            for (Relation r : entries) {
                if (r.schema().equals(schema)) {
                    return r;
                }
            }
        }
        return null;
    }

    private void accept(Relation r) throws Refusal, NotKept {
        if (!r.isDataSource() || !visited.add(r.oid())) {
            return;
        }
        refuseUncacheable(r);
        dependsOn.add(r.oid());
        Dependencies d = memo.dependencies(r.oid());
        if (r.relkind() == 'm') {
            addStored(d);
            return;
        }
        for (long oid : concat(d.children(), d.relations())) {
            accept(relation(oid));
        }
        for (long oid : d.functions()) {
            requireSafe(oid);
        }
        for (String definition : d.definitions()) {
            checkDefinition(r, definition);
        }
    }

    private void refuseUncacheable(Relation r) throws Refusal {
        if (r.isSystemSchema() && !rules.allowSystemCatalogs()) {
            throw new Refusal("system catalog " + r);
        }
        switch (r.relpersistence()) {
            case 't' -> throw new Refusal("temporary relation " + r);
            case 'u' -> throw new Refusal("unlogged relation " + r);
            default -> {
            }
        }
        if (r.relkind() == 'f') {
            throw new Refusal("foreign table " + r + " changes outside PostgreSQL");
        }
        if (r.relkind() == 'S') {
            throw new Refusal("sequence " + r);
        }
    }

    /** A view's query or a policy's USING expression, judged like the statement itself. */
    private void checkDefinition(Relation owner, String sql) throws Refusal, NotKept {
        Classification c = memo.definition(sql);
        if (!c.isCacheCandidate()) {
            throw new Refusal("definition of " + owner + ": " + (c.blockers().isEmpty() ? c.kind() : c.blockers().get(0)));
        }
        if (c.timeDependent() && !rules.allowTimeFunctions()) {
            throw new Refusal("definition of " + owner + " is time-dependent");
        }
        ReadResolver inner = new ReadResolver(this);
        inner.checkCalls(c.functionCalls());
        inner.checkOperators(c.operators());
        inner.resolveRelations(c.relationNames());
    }

    /**
     * A materialized view changes only on REFRESH (DDL); its base relations are added only so that their
     * writes invalidate it too, which is more than needed and never wrong.
     */
    private void addStored(Dependencies d) throws NotKept {
        for (long oid : d.relations()) {
            if (visited.add(oid)) {
                dependsOn.add(oid);
                addStored(memo.dependencies(oid));
            }
        }
    }

    private void requireSafe(long functionOid) throws Refusal, NotKept {
        Routine r = memo.routine(functionOid);
        if (r == null) {
            throw new Refusal("function " + functionOid + " vanished");
        }
        try {
            routines.requireSafe(r, -1, memo);
        } catch (Refusal e) {
            throw hidden(e);
        }
    }

    /**
     * A refusal met inside a view, policy or operator: even a time-dependent one says nothing of what
     * else that code calls, since the look-up stopped at it.
     */
    private static Refusal hidden(Refusal e) {
        return e.timeDependent() ? new Refusal(e.getMessage()) : e;
    }

    private Relation relation(long oid) throws Refusal, NotKept {
        Relation r = memo.relation(oid);
        if (r == null) {
            throw new Refusal("relation " + oid + " vanished");
        }
        return r;
    }

    /** Functions are looked up in the named schema, or in every schema on the path (all overloads count). */
    private boolean reachable(QualifiedName name, String schema) {
        return name.isQualified() ? name.schema().equals(schema) : schemas.contains(schema);
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}

package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogMemo.NotKept;
import io.pgmemo.cache.catalog.CatalogSql.Dependencies;
import io.pgmemo.cache.catalog.CatalogSql.WriteEffects;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.FunctionCall;
import io.pgmemo.cache.sql.QualifiedName;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds what a statement may have written. Over-approximates throughout: an unqualified target counts
 * in every schema of the path (whatever the role's privileges), every overload of a called function
 * counts, and anything that cannot be bounded refuses (the caller then invalidates the whole database).
 */
final class WriteResolver {

    private final CatalogMemo memo;
    private final RoutineRules routines;
    /** Schemas searched, in order, pg_catalog included; null means every schema ($user of an unknown role). */
    private final List<String> schemas;
    private final Set<Long> written = new LinkedHashSet<>();
    private final Set<Long> viewsSeen = new LinkedHashSet<>();

    WriteResolver(CatalogMemo memo, RoutineRules routines, List<String> schemas) {
        this.memo = memo;
        this.routines = routines;
        this.schemas = schemas;
    }

    Set<Long> written() {
        return written;
    }

    /** A function that may write (in any schema holding the name) makes the writes unbounded. */
    void checkCalls(Collection<FunctionCall> calls) throws Refusal, NotKept {
        Map<String, List<Routine>> byName = memo.routinesNamed(calls.stream().map(c -> c.name().name()).toList());
        for (FunctionCall call : calls) {
            for (Routine r : byName.getOrDefault(call.name().name(), List.of())) {
                boolean sameSchema = !call.name().isQualified() || call.name().schema().equals(r.schema());
                if (sameSchema && routines.mayWrite(r, memo)) {
                    throw Refusal.codeMayRun("calls " + r + ", which may write");
                }
            }
        }
    }

    void checkOperators(Collection<String> symbols) throws Refusal, NotKept {
        for (List<Long> functions : memo.userOperatorFunctions(symbols).values()) {
            for (long oid : functions) {
                Routine r = memo.routine(oid);
                if (r == null || routines.mayWrite(r, memo)) {
                    throw Refusal.codeMayRun("operator function " + oid + " may write");
                }
            }
        }
    }

    /** Views read by the statement run their functions too, and so do the policies of tables read. */
    void checkRelationsRead(Collection<QualifiedName> names) throws Refusal, NotKept {
        for (Relation r : matches(names)) {
            checkRelationRead(r);
        }
    }

    private void checkRelationRead(Relation r) throws Refusal, NotKept {
        if (r.relkind() == 'v') {
            checkView(r.oid());
        } else if (memo.writeEffects(r.oid()).writingExpressions()) {
            throw Refusal.codeMayRun(r + " has a policy, default or constraint that calls a function that may write");
        }
    }

    void addTargets(Collection<QualifiedName> targets) throws Refusal, NotKept {
        for (QualifiedName target : targets) {
            List<Relation> found = matches(List.of(target));
            if (found.isEmpty()) {
                throw new Refusal("write target " + target + " not found");
            }
            for (Relation r : found) {
                addWritten(r);
            }
        }
    }

    /**
     * The target, then what writing it reaches: partitions and inheritance children, tables with
     * cascading foreign keys, base relations of an updatable view. Triggers and rules refuse.
     */
    private void addWritten(Relation r) throws Refusal, NotKept {
        if (!written.add(r.oid())) {
            return;
        }
        if (r.relkind() == 'f') {
            // A foreign data wrapper may write anywhere, this cluster included (postgres_fdw loopback).
            throw Refusal.codeMayRun(r + " is a foreign table");
        }
        WriteEffects effects = memo.writeEffects(r.oid());
        if (effects.triggersOrRules()) {
            throw Refusal.codeMayRun(r + " has triggers or rules");
        }
        if (effects.writingExpressions()) {
            throw Refusal.codeMayRun(r + " has a policy, default or constraint that calls a function that may write");
        }
        Dependencies d = memo.dependencies(r.oid());
        for (long oid : effects.cascadeTargets()) {
            addWritten(relation(oid));
        }
        for (long oid : d.children()) {
            addWritten(relation(oid));
        }
        if (r.relkind() == 'v') {
            for (long oid : d.relations()) {
                addWritten(relation(oid));
            }
        }
    }

    private void checkView(long oid) throws Refusal, NotKept {
        if (!viewsSeen.add(oid)) {
            return;
        }
        Dependencies d = memo.dependencies(oid);
        for (long function : d.functions()) {
            Routine r = memo.routine(function);
            if (r == null || routines.mayWrite(r, memo)) {
                throw Refusal.codeMayRun("view " + oid + " calls a function that may write");
            }
        }
        for (long base : d.relations()) {
            Relation r = memo.relation(base);
            if (r != null) {
                checkRelationRead(r);
            }
        }
        for (String definition : d.definitions()) {
            Classification c = memo.definition(definition);
            checkCalls(c.functionCalls());
            checkOperators(c.operators());
            checkRelationsRead(c.relationNames());
        }
    }

    /** Relations a name may denote: in its schema, or in any schema of the path, or any temporary schema. */
    private List<Relation> matches(Collection<QualifiedName> names) throws NotKept {
        Map<String, List<Relation>> byName = memo.relationsNamed(names.stream().map(QualifiedName::name).toList());
        Set<Relation> out = new LinkedHashSet<>();
        for (QualifiedName name : names) {
            for (Relation r : byName.getOrDefault(name.name(), List.of())) {
                boolean onPath = name.isQualified() ? inSchema(name.schema(), r)
                        : schemas == null || schemas.contains(r.schema()) || r.isTemporarySchema();
                if (onPath && r.isDataSource()) {
                    out.add(r);
                }
            }
        }
        return List.copyOf(out);
    }

    /** pg_temp stands for the session's own temporary schema, whichever pg_temp_N that is. */
    private static boolean inSchema(String schema, Relation r) {
        return schema.equals(r.schema()) || (schema.equals(SearchPath.PG_TEMP) && r.isTemporarySchema());
    }

    private Relation relation(long oid) throws Refusal, NotKept {
        Relation r = memo.relation(oid);
        if (r == null) {
            throw new Refusal("relation " + oid + " vanished");
        }
        return r;
    }
}

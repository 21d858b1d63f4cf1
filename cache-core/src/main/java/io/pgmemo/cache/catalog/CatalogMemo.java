package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogSql.Dependencies;
import io.pgmemo.cache.catalog.CatalogSql.WriteEffects;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementClassifier;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Catalog answers for one database, kept until replaced (after DDL or at {@link CatalogRules#maxAge}).
 * An answer it lacks throws {@link NotKept} with the look-up that brings it (batched over the names
 * or OIDs asked for together); negative answers are kept too. A memo is never cleared in place, so a
 * look-up completed during an invalidation fills the old memo, not the new one. Thread-safe.
 */
final class CatalogMemo {

    /** The look-up that brings one batch of answers into a map. */
    @FunctionalInterface
    private interface Loader<K, V> {
        CatalogLookUp lookUp(Collection<K> missing, Map<K, V> into);
    }

    /** Thrown when an answer is not kept: run {@link #lookUp()}, then ask again. */
    static final class NotKept extends Exception {
        private final transient CatalogLookUp lookUp;

        NotKept(CatalogLookUp lookUp) {
            // Control flow, thrown on every first question: no stack trace to fill in.
            super("catalog answer not kept: " + lookUp.what(), null, false, false);
            this.lookUp = lookUp;
        }

        CatalogLookUp lookUp() {
            return lookUp;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final long createdNanos;
    private final Map<String, List<Relation>> relationsByName = new ConcurrentHashMap<>();
    private final Map<Long, Relation> relationsByOid = new ConcurrentHashMap<>();
    private final Map<String, List<Routine>> routinesByName = new ConcurrentHashMap<>();
    private final Map<Long, Routine> routinesByOid = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> operatorFunctions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Boolean>> schemaUsage = new ConcurrentHashMap<>();
    private final Map<Long, Dependencies> dependencies = new ConcurrentHashMap<>();
    private final Map<Long, WriteEffects> writeEffects = new ConcurrentHashMap<>();
    private final Map<String, Classification> definitions = new ConcurrentHashMap<>();

    CatalogMemo(long createdNanos) {
        this.createdNanos = createdNanos;
    }

    long createdNanos() {
        return createdNanos;
    }

    /** Every pg_class entry with each name, in any schema. */
    Map<String, List<Relation>> relationsNamed(Collection<String> names) throws NotKept {
        return batch(relationsByName, names, CatalogSql::relationsNamed);
    }

    /** The relation with this OID, or null if it is gone. */
    Relation relation(long oid) throws NotKept {
        Relation r = batch(relationsByOid, List.of(oid), CatalogSql::relationsByOid).get(oid);
        return r == Relation.GONE ? null : r;
    }

    /** Every pg_proc entry with each name, in any schema. */
    Map<String, List<Routine>> routinesNamed(Collection<String> names) throws NotKept {
        return batch(routinesByName, names, CatalogSql::routinesNamed);
    }

    /** The routine with this OID, or null if it is gone. */
    Routine routine(long oid) throws NotKept {
        Routine r = batch(routinesByOid, List.of(oid), CatalogSql::routinesByOid).get(oid);
        return r == Routine.GONE ? null : r;
    }

    Map<String, List<Long>> userOperatorFunctions(Collection<String> symbols) throws NotKept {
        return batch(operatorFunctions, symbols, CatalogSql::userOperatorFunctions);
    }

    Map<String, Boolean> schemaUsage(String role) throws NotKept {
        Map<String, Boolean> usage = schemaUsage.get(role);
        if (usage == null) {
            throw new NotKept(CatalogSql.schemaUsage(role, schemaUsage));
        }
        return usage;
    }

    Dependencies dependencies(long oid) throws NotKept {
        Dependencies d = dependencies.get(oid);
        if (d == null) {
            throw new NotKept(CatalogSql.dependencies(oid, dependencies));
        }
        return d;
    }

    WriteEffects writeEffects(long oid) throws NotKept {
        WriteEffects e = writeEffects.get(oid);
        if (e == null) {
            throw new NotKept(CatalogSql.writeEffects(oid, writeEffects));
        }
        return e;
    }

    /** A view's or policy's SQL text, classified once. */
    Classification definition(String sql) {
        return definitions.computeIfAbsent(sql, text -> StatementClassifier.classify(text, true));
    }

    private static <K, V> Map<K, V> batch(Map<K, V> memo, Collection<K> keys, Loader<K, V> loader) throws NotKept {
        LinkedHashSet<K> missing = new LinkedHashSet<>();
        for (K key : keys) {
            if (!memo.containsKey(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new NotKept(loader.lookUp(missing, memo));
        }
        Map<K, V> out = new HashMap<>();
        for (K key : keys) {
            out.put(key, memo.get(key));
        }
        return out;
    }
}

package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogQueries.Dependencies;
import io.pgmemo.cache.catalog.CatalogQueries.WriteEffects;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementClassifier;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Catalog answers for one database, kept until replaced (after DDL or at {@link CatalogRules#maxAge}).
 * Look-ups are batched and cached, negative answers included; a memo is never cleared in place, so a
 * look-up running during an invalidation fills the old memo, not the new one.
 */
final class CatalogMemo {

    /** One batched catalog query. */
    @FunctionalInterface
    private interface Loader<K, V> {
        Map<K, V> load(Collection<K> keys) throws SQLException;
    }

    /** One catalog query for one key. */
    @FunctionalInterface
    private interface OneLoader<K, V> {
        V load(K key) throws SQLException;
    }

    /** Thrown by a memo without queries when an answer is not kept. */
    static final class NotKept extends SQLException {
        NotKept() {
            super("catalog answer not kept", "PGM01");
        }
    }

    private final CatalogQueries queries;
    private final long createdNanos;
    private final Map<String, List<Relation>> relationsByName;
    private final Map<Long, Relation> relationsByOid;
    private final Map<String, List<Routine>> routinesByName;
    private final Map<Long, Routine> routinesByOid;
    private final Map<String, List<Long>> operatorFunctions;
    private final Map<String, Map<String, Boolean>> schemaUsage;
    private final Map<Long, Dependencies> dependencies;
    private final Map<Long, WriteEffects> writeEffects;
    private final Map<String, Classification> definitions;

    CatalogMemo(CatalogQueries queries, long createdNanos) {
        this.queries = queries;
        this.createdNanos = createdNanos;
        this.relationsByName = new ConcurrentHashMap<>();
        this.relationsByOid = new ConcurrentHashMap<>();
        this.routinesByName = new ConcurrentHashMap<>();
        this.routinesByOid = new ConcurrentHashMap<>();
        this.operatorFunctions = new ConcurrentHashMap<>();
        this.schemaUsage = new ConcurrentHashMap<>();
        this.dependencies = new ConcurrentHashMap<>();
        this.writeEffects = new ConcurrentHashMap<>();
        this.definitions = new ConcurrentHashMap<>();
    }

    private CatalogMemo(CatalogMemo kept) {
        this.queries = null;
        this.createdNanos = kept.createdNanos;
        this.relationsByName = kept.relationsByName;
        this.relationsByOid = kept.relationsByOid;
        this.routinesByName = kept.routinesByName;
        this.routinesByOid = kept.routinesByOid;
        this.operatorFunctions = kept.operatorFunctions;
        this.schemaUsage = kept.schemaUsage;
        this.dependencies = kept.dependencies;
        this.writeEffects = kept.writeEffects;
        this.definitions = kept.definitions;
    }

    /** The same answers, but a missing one throws {@link NotKept} instead of querying the server. */
    CatalogMemo keptOnly() {
        return new CatalogMemo(this);
    }

    long createdNanos() {
        return createdNanos;
    }

    /** Every pg_class entry with each name, in any schema. */
    Map<String, List<Relation>> relationsNamed(Collection<String> names) throws SQLException {
        return batch(relationsByName, names, missing -> queries().relationsNamed(missing));
    }

    /** The relation with this OID, or null if it is gone. */
    Relation relation(long oid) throws SQLException {
        return batch(relationsByOid, List.of(oid), missing -> queries().relationsByOid(missing)).get(oid);
    }

    /** Every pg_proc entry with each name, in any schema. */
    Map<String, List<Routine>> routinesNamed(Collection<String> names) throws SQLException {
        return batch(routinesByName, names, missing -> queries().routinesNamed(missing));
    }

    /** The routine with this OID, or null if it is gone. */
    Routine routine(long oid) throws SQLException {
        return batch(routinesByOid, List.of(oid), missing -> queries().routinesByOid(missing)).get(oid);
    }

    Map<String, List<Long>> userOperatorFunctions(Collection<String> symbols) throws SQLException {
        return batch(operatorFunctions, symbols, missing -> queries().userOperatorFunctions(missing));
    }

    Map<String, Boolean> schemaUsage(String role) throws SQLException {
        return one(schemaUsage, role, r -> queries().schemaUsage(r));
    }

    Dependencies dependencies(long oid) throws SQLException {
        return one(dependencies, oid, o -> queries().dependencies(o));
    }

    WriteEffects writeEffects(long oid) throws SQLException {
        return one(writeEffects, oid, o -> queries().writeEffects(o));
    }

    /** A view's or policy's SQL text, classified once. */
    Classification definition(String sql) {
        return definitions.computeIfAbsent(sql, text -> StatementClassifier.classify(text, true));
    }

    private CatalogQueries queries() throws NotKept {
        if (queries == null) {
            throw new NotKept();
        }
        return queries;
    }

    private static <K, V> V one(Map<K, V> memo, K key, OneLoader<K, V> loader) throws SQLException {
        V value = memo.get(key);
        if (value == null) {
            value = loader.load(key);
            memo.put(key, value);
        }
        return value;
    }

    private static <K, V> Map<K, V> batch(Map<K, V> memo, Collection<K> keys, Loader<K, V> loader)
            throws SQLException {
        LinkedHashSet<K> missing = new LinkedHashSet<>();
        for (K key : keys) {
            if (!memo.containsKey(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            memo.putAll(loader.load(missing));
        }
        Map<K, V> out = new HashMap<>();
        for (K key : keys) {
            V value = memo.get(key);
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }
}

package io.pgmemo.cache.verdicts;

import io.pgmemo.cache.BoundedMemo;
import io.pgmemo.cache.catalog.CatalogHealth;
import io.pgmemo.cache.catalog.CatalogLookUp;
import io.pgmemo.cache.catalog.CatalogRules;
import io.pgmemo.cache.catalog.Judgement;
import io.pgmemo.cache.catalog.PgCatalog;
import io.pgmemo.cache.catalog.ReadVerdict;
import io.pgmemo.cache.catalog.WriteScope;
import io.pgmemo.cache.effects.Invalidation;
import io.pgmemo.cache.effects.StatementEffects;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.SqlShape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catalog's verdicts, kept for every session of a database: whether a read is cacheable for a
 * search_path and role and which relations it reads, and what a forwarded statement string writes.
 * An answer not kept names the {@link CatalogLookUp} to run first, in a client's own session. Kept
 * answers follow the catalog's max age, and are dropped when DDL or privileges change ({@link
 * #epoch()} then moves on, so sessions drop what they derived from them). Nothing here blocks.
 */
public final class Verdicts {
    private static final int MAX_ANSWERS = 100_000;

    private final CatalogRules rules;
    private final CatalogHealth health;
    private final Map<String, PgCatalog> catalogs = new ConcurrentHashMap<>();
    private final BoundedMemo<ReadKey, ReadVerdict> reads = new BoundedMemo<>(MAX_ANSWERS);
    /** What forwarded statement strings change, per database and shape; see {@link #judgeWrites}. */
    private final BoundedMemo<String, Invalidation> writes = new BoundedMemo<>(MAX_ANSWERS);
    private final AtomicLong epoch = new AtomicLong();
    private volatile long answersSince = System.nanoTime();

    /** {@code shape}: the statement with its literals replaced, see {@link SqlShape}. */
    private record ReadKey(String database, String searchPath, String role, String shape) {
    }

    public Verdicts(CatalogRules rules, CatalogHealth health) {
        this.rules = rules;
        this.health = health;
    }

    /**
     * The verdict for this read from what is already known (this shape before, or the catalog answers
     * kept for its names), or the catalog look-up to run first. While the database's catalog cannot be
     * read, the verdict is "not cacheable" at once.
     */
    public Judgement<ReadVerdict> judgeRead(String database, String searchPath, String role, String shape,
                                            Classification read) {
        if (health.unavailable(database)) {
            health.relayedUncached();
            return Judgement.of(CatalogHealth.UNAVAILABLE);
        }
        expireAnswers();
        ReadKey key = new ReadKey(database, searchPath, role, shape);
        ReadVerdict verdict = reads.get(key);
        if (verdict != null) {
            return Judgement.of(verdict);
        }
        long asked = epoch.get();
        Judgement<ReadVerdict> judgement = catalog(database).judgeRead(read, searchPath, role);
        if (judgement.isAnswered()) {
            keep(asked, () -> reads.put(key, judgement.answer()));
        }
        return judgement;
    }

    /**
     * What a forwarded statement string may change: {@code fromText} (judged from its words alone)
     * narrowed to the relations it writes once the catalog has said which they are (and widened for a
     * read whose views, policies or operators call a function that writes), or the look-up to run
     * first. The answer holds for every session, whatever its search_path: an unqualified name counts
     * in every schema. While the database's catalog cannot be read, {@code fromText}: nothing of that
     * database is cached then (see {@link CatalogHealth}).
     */
    public Judgement<Invalidation> judgeWrites(String database, SqlShape shape, boolean standardConformingStrings,
                                               List<Classification> statements, Invalidation fromText) {
        if (!StatementEffects.catalogCanBound(statements)
                || (fromText.isNone() && !StatementEffects.mayCallHiddenFunctions(statements))
                || health.unavailable(database)) {
            return Judgement.of(fromText);
        }
        expireAnswers();
        String key = database + '\0' + (standardConformingStrings ? '1' : '0') + shape.text();
        Invalidation known = writes.get(key);
        if (known != null) {
            return Judgement.of(known);
        }
        long asked = epoch.get();
        Invalidation scope = Invalidation.NONE;
        for (Classification statement : statements) {
            Judgement<WriteScope> one = catalog(database).judgeWrites(statement, null, null);
            if (!one.isAnswered()) {
                return Judgement.needs(one.lookUp());
            }
            scope = scope.and(Invalidation.of(one.answer()));
        }
        Invalidation answer = scope;
        keep(asked, () -> writes.put(key, answer));
        return Judgement.of(answer);
    }

    /** Keeps an answer unless DDL or privileges changed since it was asked for. */
    private synchronized void keep(long asked, Runnable put) {
        if (epoch.get() == asked) {
            put.run();
        }
    }

    private PgCatalog catalog(String database) {
        return catalogs.computeIfAbsent(database, db -> new PgCatalog(rules));
    }

    /**
     * Changes whenever the verdicts are dropped, so sessions drop what they derived from them; past
     * the catalog's max age they are dropped first, so what a session remembers ages with them.
     */
    public long epoch() {
        expireAnswers();
        return epoch.get();
    }

    /** The catalog changed (DDL, privileges, a temporary table): drop every verdict and catalog answer. */
    public void forgetAll() {
        forgetVerdicts();
        catalogs.values().forEach(PgCatalog::invalidate);
    }

    /**
     * Kept answers follow the catalog's own: after {@link CatalogRules#maxAge()} they are asked again,
     * which bounds the effect of DDL that bypassed the proxy.
     */
    private void expireAnswers() {
        long since = answersSince;
        if (System.nanoTime() - since > rules.maxAge().toNanos()) {
            synchronized (this) {
                if (answersSince == since) {
                    forgetVerdicts();
                    answersSince = System.nanoTime();
                }
            }
        }
    }

    private synchronized void forgetVerdicts() {
        epoch.incrementAndGet();
        reads.clear();
        writes.clear();
    }
}

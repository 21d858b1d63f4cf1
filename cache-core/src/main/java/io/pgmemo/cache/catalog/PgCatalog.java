package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogMemo.NotKept;
import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementKind;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Catalog look-ups for one upstream database: may this read be cached for this session, and what
 * did this statement write. It runs no SQL itself: it answers from the answers it keeps (see
 * {@link CatalogMemo}) or names the one {@link CatalogLookUp} it needs first, which the caller runs
 * wherever it has a connection (pgmemo: in the client's own session while it is idle). Answers are
 * kept until {@link #invalidate()} or {@link CatalogRules#maxAge()}. Thread-safe and non-blocking.
 */
public final class PgCatalog {

    private final CatalogRules rules;
    private final RoutineRules routines;
    private final LongSupplier nanoClock;
    private volatile CatalogMemo memo;

    public PgCatalog(CatalogRules rules) {
        this(rules, System::nanoTime);
    }

    PgCatalog(CatalogRules rules, LongSupplier nanoClock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.routines = new RoutineRules(rules);
        this.nanoClock = nanoClock;
        this.memo = new CatalogMemo(nanoClock.getAsLong());
    }

    /**
     * Whether a READ may be cached for a session, and the relations its result depends on. To be asked
     * again for every session that would be served (the answer depends on search_path and role), which
     * the kept answers make cheap; it also notices a temporary table created since.
     *
     * @param searchPath  the session's search_path setting, as SHOW search_path prints it
     * @param currentRole the session's current role (after SET ROLE), which expands $user and decides
     *                    which schemas of the path are usable
     */
    public Judgement<ReadVerdict> judgeRead(Classification read, String searchPath, String currentRole) {
        if (read.kind() != StatementKind.READ) {
            return Judgement.of(ReadVerdict.notCacheable("not a read: " + read.kind()));
        }
        if (!read.blockers().isEmpty()) {
            return Judgement.of(ReadVerdict.notCacheable(read.blockers().get(0)));
        }
        if (read.timeDependent() && !rules.allowTimeFunctions()) {
            return Judgement.of(ReadVerdict.timeDependent("time-dependent: " + read.sqlValueFunctions()));
        }
        if (currentRole == null) {
            return Judgement.of(ReadVerdict.notCacheable("unknown role"));
        }
        CatalogMemo m = memo();
        try {
            List<String> schemas = SearchPath.parse(searchPath).schemas(currentRole);
            ReadResolver resolver = new ReadResolver(m, rules, routines, schemas, m.schemaUsage(currentRole));
            resolver.checkCalls(read.functionCalls());
            resolver.checkOperators(read.operators());
            resolver.resolveRelations(read.relationNames());
            return Judgement.of(ReadVerdict.cacheable(resolver.dependsOn()));
        } catch (Refusal e) {
            return Judgement.of(e.timeDependent() ? ReadVerdict.timeDependent(e.getMessage())
                    : ReadVerdict.notCacheable(e.getMessage()));
        } catch (NotKept e) {
            return Judgement.needs(e.lookUp());
        }
    }

    /**
     * What a statement that ran through the proxy may have changed, for write-through invalidation. Any
     * kind is accepted: reads can write through volatile functions, DDL and unknown statements change
     * anything.
     *
     * @param searchPath  the session's search_path; null when unknown, which makes an unqualified name
     *                    match in every schema
     * @param currentRole the session's current role; null makes {@code $user} match every schema
     */
    public Judgement<WriteScope> judgeWrites(Classification statement, String searchPath, String currentRole) {
        if (statement.mayWriteElsewhere()) {
            return Judgement.of(WriteScope.anything(statement.kind() + " " + statement.command()
                    + " may change anything"));
        }
        CatalogMemo m = memo();
        try {
            SearchPath path = SearchPath.parse(searchPath);
            boolean unknownPath = searchPath == null || (currentRole == null && path.mentionsUser());
            WriteResolver resolver = new WriteResolver(m, routines, unknownPath ? null : path.schemas(currentRole));
            resolver.checkCalls(statement.functionCalls());
            resolver.checkOperators(statement.operators());
            resolver.checkRelationsRead(statement.relationNames());
            resolver.addTargets(statement.writeTargets());
            return Judgement.of(WriteScope.of(resolver.written()));
        } catch (Refusal e) {
            return Judgement.of(e.codeMayRun() ? WriteScope.anything(e.getMessage())
                    : WriteScope.wholeDatabase(e.getMessage()));
        } catch (NotKept e) {
            return Judgement.needs(e.lookUp());
        }
    }

    /** Forgets every catalog answer: call after DDL or privilege changes (Classification.changesCatalog()). */
    public void invalidate() {
        memo = new CatalogMemo(nanoClock.getAsLong());
    }

    private CatalogMemo memo() {
        CatalogMemo m = memo;
        if (nanoClock.getAsLong() - m.createdNanos() > rules.maxAge().toNanos()) {
            synchronized (this) {
                if (memo == m) {
                    invalidate();
                }
                m = memo;
            }
        }
        return m;
    }
}

package io.pgmemo.cache.catalog;

import io.pgmemo.cache.sql.Classification;
import io.pgmemo.cache.sql.StatementKind;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalog look-ups for one upstream database: may this read be cached for this session, and what
 * did this statement write. Blocking JDBC: call it from an executor, never from an event loop.
 * Thread-safe; look-ups share one connection and their answers are kept (see {@link CatalogMemo})
 * until {@link #invalidate()} or {@link CatalogRules#maxAge()}.
 *
 * <p>Never throws for a failed look-up: the answer is then "not cacheable" or "the whole database".
 */
public final class PgCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgCatalog.class);

    private static final String LOOK_UP_FAILED = "catalog look-up failed: ";

    private final CatalogQueries queries;
    private final CatalogRules rules;
    private final RoutineRules routines;
    private final LongSupplier nanoClock;
    private volatile CatalogMemo memo;

    public PgCatalog(CatalogConnector connector, CatalogRules rules) {
        this(connector, rules, System::nanoTime);
    }

    PgCatalog(CatalogConnector connector, CatalogRules rules, LongSupplier nanoClock) {
        this.queries = new CatalogQueries(Objects.requireNonNull(connector, "connector"));
        this.rules = Objects.requireNonNull(rules, "rules");
        this.routines = new RoutineRules(rules);
        this.nanoClock = nanoClock;
        this.memo = new CatalogMemo(queries, nanoClock.getAsLong());
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
    public ReadVerdict checkRead(Classification read, String searchPath, String currentRole) {
        try {
            return judgeRead(memo(), read, searchPath, currentRole);
        } catch (SQLException e) {
            return ReadVerdict.notCacheable(failed(e));
        }
    }

    /**
     * {@link #checkRead} from kept answers only, without touching the server: safe to call on an event
     * loop. Empty when some answer is not kept (then ask {@link #checkRead} on an executor).
     */
    public Optional<ReadVerdict> checkReadIfKnown(Classification read, String searchPath, String currentRole) {
        try {
            return Optional.of(judgeRead(memo().keptOnly(), read, searchPath, currentRole));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private ReadVerdict judgeRead(CatalogMemo m, Classification read, String searchPath, String currentRole)
            throws SQLException {
        if (read.kind() != StatementKind.READ) {
            return ReadVerdict.notCacheable("not a read: " + read.kind());
        }
        if (!read.blockers().isEmpty()) {
            return ReadVerdict.notCacheable(read.blockers().get(0));
        }
        if (read.timeDependent() && !rules.allowTimeFunctions()) {
            return ReadVerdict.notCacheable("time-dependent: " + read.sqlValueFunctions());
        }
        if (currentRole == null) {
            return ReadVerdict.notCacheable("unknown role");
        }
        try {
            List<String> schemas = SearchPath.parse(searchPath).schemas(currentRole);
            ReadResolver resolver = new ReadResolver(m, rules, routines, schemas, m.schemaUsage(currentRole));
            resolver.checkCalls(read.functionCalls());
            resolver.checkOperators(read.operators());
            resolver.resolveRelations(read.relationNames());
            return ReadVerdict.cacheable(resolver.dependsOn());
        } catch (Refusal e) {
            return ReadVerdict.notCacheable(e.getMessage());
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
    public WriteScope tablesTouched(Classification statement, String searchPath, String currentRole) {
        if (statement.mayWriteElsewhere()) {
            return WriteScope.anything(statement.kind() + " " + statement.command() + " may change anything");
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
            return WriteScope.of(resolver.written());
        } catch (Refusal e) {
            return e.codeMayRun() ? WriteScope.anything(e.getMessage()) : WriteScope.wholeDatabase(e.getMessage());
        } catch (SQLException e) {
            return WriteScope.wholeDatabase(failed(e));
        }
    }

    /** Whether a refusal's reason is a failed look-up (the server or the connection), not an answer. */
    public static boolean isLookUpFailure(String reason) {
        return reason != null && reason.startsWith(LOOK_UP_FAILED);
    }

    /** Forgets every catalog answer: call after DDL or privilege changes (Classification.changesCatalog()). */
    public void invalidate() {
        memo = new CatalogMemo(queries, nanoClock.getAsLong());
    }

    @Override
    public void close() {
        queries.close();
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

    private String failed(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.startsWith("08") || state.startsWith("57")) {
            queries.close();
        }
        LOG.warn("catalog look-up failed (SQLSTATE {}): {}", state, e.getMessage());
        return LOOK_UP_FAILED + e.getMessage();
    }
}

package io.pgmemo.cache.catalog;

import io.pgmemo.cache.catalog.CatalogMemo.NotKept;
import java.util.List;
import java.util.Set;

/**
 * When a function call may be cached, and when it may write.
 *
 * <p>A function is safe to cache when all of these hold:
 * <ol>
 * <li>provolatile is IMMUTABLE or STABLE. A VOLATILE function, set-returning or not, may have side
 *     effects or return something new on each call (random(), nextval(), clock_timestamp(), dblink()).</li>
 * <li>It is not SECURITY DEFINER: it runs as its owner and typically reads what the caller cannot, in
 *     relations the statement does not name.</li>
 * <li>It is not on the deny list: STABLE functions whose result depends on time (now(),
 *     transaction_timestamp(), statement_timestamp(), one-argument age(); allowed by
 *     {@link CatalogRules#allowTimeFunctions}), or on session or server state (current_setting(),
 *     pg_backend_pid(), inet_client_addr(), txid_current(), pg_cursor(), pg_stat_*, pg_last_*, ...), or that
 *     read relations named by a string argument (table_to_xml(), database_to_xml(), ...).</li>
 * <li>If STABLE, it lives in pg_catalog. A user STABLE function may read any table (a SQL or PL/pgSQL
 *     body is invisible to us), so a cached result could miss the invalidation of that table. A user
 *     IMMUTABLE function is trusted: PostgreSQL's contract says it reads no table.</li>
 * <li>For an aggregate (whose own provolatile is always IMMUTABLE), every support function is safe.</li>
 * </ol>
 *
 * <p>A function may write when it is VOLATILE and outside pg_catalog (PL/pgSQL, SQL, C, dblink_exec), or
 * is a built-in that runs SQL given as text (query_to_xml(), cursor_to_xml(), ts_stat(), ts_rewrite()).
 * Built-in VOLATILE functions otherwise touch no user table (nextval, set_config, lo_*, pg_advisory_*).
 */
final class RoutineRules {

    private static final Set<String> TIME_FUNCTIONS =
            Set.of("now", "transaction_timestamp", "statement_timestamp", "clock_timestamp", "timeofday");
    private static final Set<String> STATE_FUNCTIONS = Set.of("current_setting", "pg_backend_pid",
            "pg_trigger_depth", "pg_cursor", "pg_prepared_statement", "pg_listening_channels",
            "pg_notification_queue_usage", "pg_conf_load_time", "pg_postmaster_start_time", "pg_backup_start_time",
            "pg_is_in_backup", "pg_is_in_recovery", "current_schemas", "pg_my_temp_schema", "pg_is_other_temp_schema",
            "pg_show_all_settings", "pg_show_all_file_settings", "pg_hba_file_rules", "row_security_active",
            "mxid_age", "pg_timezone_abbrevs", "pg_relation_filenode", "pg_relation_filepath", "pg_filenode_relation",
            "pg_get_replication_slots", "pg_get_backend_memory_contexts", "pg_jit_available",
            "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema", "schema_to_xml",
            "schema_to_xmlschema", "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema",
            "database_to_xml_and_xmlschema");
    private static final List<String> STATE_PREFIXES = List.of("pg_stat_", "pg_last_", "pg_current_", "txid_current",
            "inet_client_", "inet_server_", "pg_event_trigger_", "pg_replication_", "pg_wal_", "pg_ls_", "pg_read_");
    /** Built-ins that execute SQL passed as text: they may write anything. */
    private static final Set<String> EXECUTES_SQL = Set.of("query_to_xml", "query_to_xmlschema",
            "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema", "ts_stat", "ts_rewrite");

    private final CatalogRules rules;

    RoutineRules(CatalogRules rules) {
        this.rules = rules;
    }

    /**
     * Refuses a routine that may not be cached.
     *
     * @param argumentCount arguments at the call site, or -1 when unknown (a function used by a view)
     */
    void requireSafe(Routine r, int argumentCount, CatalogMemo memo) throws Refusal, NotKept {
        if (r.provolatile() == 'v') {
            throw new Refusal("VOLATILE function " + r);
        }
        if (r.securityDefiner()) {
            throw new Refusal("SECURITY DEFINER function " + r);
        }
        if (readsClock(r, argumentCount >= 0 ? argumentCount : r.pronargs())) {
            throw Refusal.timeDependent("time-dependent function " + r);
        }
        String denied = denial(r);
        if (denied != null) {
            throw new Refusal(denied + " " + r);
        }
        if (r.provolatile() == 's' && !r.inPgCatalog()) {
            throw new Refusal("STABLE function outside pg_catalog may read any table: " + r);
        }
        for (long support : r.supportFunctions()) {
            Routine s = memo.routine(support);
            if (s == null) {
                throw new Refusal("aggregate support function " + support + " vanished");
            }
            requireSafe(s, -1, memo);
        }
    }

    /** Whether calling the routine may change data in user tables. */
    boolean mayWrite(Routine r, CatalogMemo memo) throws NotKept {
        if (r.provolatile() == 'v' && (!r.inPgCatalog() || EXECUTES_SQL.contains(r.name()))) {
            return true;
        }
        for (long support : r.supportFunctions()) {
            Routine s = memo.routine(support);
            if (s == null || mayWrite(s, memo)) {
                return true;
            }
        }
        return false;
    }

    private boolean readsClock(Routine r, int argumentCount) {
        String name = r.name();
        boolean time = TIME_FUNCTIONS.contains(name) || (name.equals("age") && argumentCount == 1);
        return time && !rules.allowTimeFunctions();
    }

    private String denial(Routine r) {
        String name = r.name();
        if (STATE_FUNCTIONS.contains(name) || EXECUTES_SQL.contains(name)
                || STATE_PREFIXES.stream().anyMatch(name::startsWith)) {
            return "session- or server-dependent function";
        }
        return null;
    }
}

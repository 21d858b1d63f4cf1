/**
 * Catalog judgements: may a classified read be cached for a session, which relations does its result
 * depend on, and what did a statement write. {@link io.pgmemo.cache.catalog.PgCatalog} is the entry
 * point, one per upstream database. It runs no SQL: it answers from the catalog answers it keeps, or
 * returns the {@link io.pgmemo.cache.catalog.CatalogLookUp} (a simple-protocol Query string) that
 * brings the next missing ones; the proxy runs it in a client's own session and hands back the rows.
 *
 * <h2>Handled</h2>
 * <ul>
 * <li>Name resolution as the server does it: search_path with implicit pg_catalog, {@code $user} as the
 *     current role, schemas without USAGE skipped; qualified names in their schema.</li>
 * <li>Refused relations: temporary (and any unqualified name that some session's temporary schema holds),
 *     unlogged, foreign tables, sequences, system catalogs (unless {@link
 *     io.pgmemo.cache.catalog.CatalogRules#allowSystemCatalogs}), a qualified name in an existing schema that
 *     holds no such relation.</li>
 * <li>Dependencies: views recursively (pg_depend plus the deparsed view query, since pg_depend omits
 *     pg_catalog objects), materialized views and their base tables, partitions and inheritance children,
 *     relations and functions used by row-level security policies.</li>
 * <li>Functions: every overload on the path; VOLATILE, SECURITY DEFINER, user STABLE, aggregates with unsafe
 *     support functions, a deny list of time-, session- and server-dependent built-ins (see
 *     {@code RoutineRules}); user-defined operators; functions used by views and policies.</li>
 * <li>Writes: targets on the path (all matches), partitions and children, cascading foreign keys, base
 *     tables of updatable views; the whole database for triggers, rules, functions that may write, unknown
 *     targets and any failed look-up.</li>
 * <li>Answers are kept per database until {@code invalidate()} (after DDL through the proxy) or
 *     {@code maxAge}; a judgement needs a look-up only for answers not kept.</li>
 * </ul>
 *
 * <h2>Not handled</h2>
 * <ul>
 * <li>User STABLE functions are refused outright, even SQL-standard bodies whose pg_depend entries would
 *     name their tables. User IMMUTABLE functions are trusted not to read tables.</li>
 * <li>Implicit calls: type input/output functions, casts and domain checks with volatile functions,
 *     operators spelled as key words (LIKE, BETWEEN) on user types, column defaults and check constraints
 *     calling functions that write elsewhere.</li>
 * <li>Settings read by STABLE built-ins (lc_time, default_text_search_config, ...): the session fingerprint's
 *     business. A temporary table created by another session with the name of an unqualified relation is
 *     seen only after the kept answers are renewed.</li>
 * <li>DDL that bypasses the proxy is seen after {@code maxAge}; a look-up run inside a transaction block
 *     that changed the catalog sees that change before others do, so invalidate again when it ends.</li>
 * </ul>
 */
package io.pgmemo.cache.catalog;

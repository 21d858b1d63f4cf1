/**
 * Query classification from SQL text alone, for the result cache. No catalog access, no Netty; pure
 * functions, thread-safe.
 *
 * <p>Entry points: {@link io.pgmemo.cache.sql.StatementClassifier#classify} (one statement, e.g. from a
 * Parse message) and {@link io.pgmemo.cache.sql.StatementClassifier#classifyAll} (a simple-Query string);
 * {@link io.pgmemo.cache.sql.SqlLexer} for tokens and statement splitting;
 * {@link io.pgmemo.cache.sql.TimeLiterals} for Bind parameter values; {@link io.pgmemo.cache.sql.SqlShape} for a
 * query's shape (its literals replaced), under which classifications and catalog verdicts are kept.
 *
 * <h2>Handled</h2>
 * <ul>
 * <li>PostgreSQL's lexical rules (scan.l): -- and nested block comments; '' strings with '' escapes and,
 *     when standard_conforming_strings is off, backslash escapes; E'', N'', U&amp;'' with UESCAPE, B'', X'';
 *     quote continuation across newlines; dollar quoting; quoted and U&amp;"" identifiers, folded and
 *     truncated to 63 bytes like the server; numbers, operators (trailing +/- rule), parameters.</li>
 * <li>Splitting at top-level semicolons, also inside BEGIN ATOMIC bodies and parenthesized rule actions.</li>
 * <li>Kinds for every command of the SQL reference: reads, writes (with targets), COPY both ways, DDL,
 *     privilege changes, session and transaction commands, CALL/DO, EXPLAIN (ANALYZE runs the statement:
 *     EXPLAIN ANALYZE of a write is a write), data-modifying CTEs (nested too), SELECT INTO, locking
 *     clauses, COPY (DELETE ... RETURNING) TO.</li>
 * <li>What the catalog must judge: every possible function call (including attribute notation
 *     {@code t.f}), operators, SQL value functions, candidate relation names (every name not followed by a
 *     parenthesis, over-approximated), time literals ('now', 'today', ...), blockers (pg_temp, nextval and
 *     friends, random, TABLESAMPLE, LOCK, system_user).</li>
 * </ul>
 *
 * <h2>Not handled (the safe way)</h2>
 * <ul>
 * <li>There is no grammar: what is not recognised is UNKNOWN (may change anything), a name that may be a
 *     call is a call, a word that may be a relation is a candidate. So some cacheable queries are refused
 *     (e.g. a function call directly after an unreserved key word used as an alias, {@code FROM data d(x)}),
 *     never the reverse.</li>
 * <li>Writes hidden in the text's meaning are for the catalog: triggers, rules, cascading foreign keys,
 *     volatile functions, updatable views. EXECUTE of a prepared statement and COMMIT PREPARED may write
 *     anything ({@code mayWriteElsewhere}).</li>
 * <li>Key-word lists are PostgreSQL 14's plus later additions; a key word reserved only in a later release
 *     is not trusted to exclude a name.</li>
 * </ul>
 */
package io.pgmemo.cache.sql;

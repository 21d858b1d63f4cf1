package io.pgmemo.cache.sql;

import java.util.Set;

/**
 * PostgreSQL key words by category, from {@code pg_get_keywords()} of PostgreSQL 14, plus the key
 * words of later releases in {@link #LATER_KEY_WORDS}. A reserved or type/function-name key word can
 * never be an unquoted table name, and a column-name key word followed by a parenthesis is SQL syntax
 * (a type modifier or a construct such as COALESCE), never a call of a pg_proc function.
 */
final class SqlKeywords {

    static final Set<String> RESERVED = words(
            "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint "
            + "create current_catalog current_date current_role current_time current_timestamp current_user default "
            + "deferrable desc distinct do else end except false fetch for foreign from grant group having in "
            + "initially intersect into lateral leading limit localtime localtimestamp not null offset on only or "
            + "order placing primary references returning select session_user some symmetric table then to trailing "
            + "true union unique user using variadic when where window with ");

    static final Set<String> TYPE_FUNC_NAME = words(
            "authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull "
            + "join left like natural notnull outer overlaps right similar tablesample verbose ");

    static final Set<String> COL_NAME = words(
            "between bigint bit boolean char character coalesce dec decimal exists extract float greatest "
            + "grouping inout int integer interval least national nchar none normalize nullif numeric out overlay "
            + "position precision real row setof smallint substring time timestamp treat trim values varchar "
            + "xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot "
            + "xmlserialize xmltable ");

    static final Set<String> UNRESERVED = words(
            "abort absolute access action add admin after aggregate also alter always asensitive assertion "
            + "assignment at atomic attach attribute backward before begin breadth by cache call called cascade "
            + "cascaded catalog chain characteristics checkpoint class close cluster columns comment comments "
            + "commit committed compression configuration conflict connection constraints content continue "
            + "conversion copy cost csv cube current cursor cycle data database day deallocate declare defaults "
            + "deferred definer delete delimiter delimiters depends depth detach dictionary disable discard "
            + "document domain double drop each enable encoding encrypted enum escape event exclude excluding "
            + "exclusive execute explain expression extension external family filter finalize first following force "
            + "forward function functions generated global granted groups handler header hold hour identity if "
            + "immediate immutable implicit import include including increment index indexes inherit inherits "
            + "inline input insensitive insert instead invoker isolation key label language large last leakproof "
            + "level listen load local location lock locked logged mapping match materialized maxvalue method "
            + "minute minvalue mode month move name names new next nfc nfd nfkc nfkd no normalized nothing notify "
            + "nowait nulls object of off oids old operator option options ordinality others over overriding owned "
            + "owner parallel parser partial partition passing password plans policy preceding prepare prepared "
            + "preserve prior privileges procedural procedure procedures program publication quote range read "
            + "reassign recheck recursive ref referencing refresh reindex relative release rename repeatable "
            + "replace replica reset restart restrict return returns revoke role rollback rollup routine routines "
            + "rows rule savepoint schema schemas scroll search second security sequence sequences serializable "
            + "server session set sets share show simple skip snapshot sql stable standalone start statement "
            + "statistics stdin stdout storage stored strict strip subscription support sysid system tables "
            + "tablespace temp template temporary text ties transaction transform trigger truncate trusted type "
            + "types uescape unbounded uncommitted unencrypted unknown unlisten unlogged until update vacuum valid "
            + "validate validator value varying version view views volatile whitespace within without work wrapper "
            + "write xml year yes zone ");

    /** Key words added after PostgreSQL 14 (any category): never relied on to skip a check. */
    static final Set<String> LATER_KEY_WORDS = words(
            "absent conditional empty error format indent json keep keys matched merge nested omit path plan "
            + "quotes scalar string unconditional wrapper json_array json_arrayagg json_exists json_object "
            + "json_objectagg json_query json_scalar json_serialize json_table json_value merge_action system_user "
            + "period virtual split ");

    private SqlKeywords() {
    }

    /** Whether {@code word} is a key word of any category in any supported release. */
    static boolean isKeyword(String word) {
        return RESERVED.contains(word) || TYPE_FUNC_NAME.contains(word) || COL_NAME.contains(word)
                || UNRESERVED.contains(word) || LATER_KEY_WORDS.contains(word);
    }

    /** Reserved and type/function-name key words: not usable as an unquoted relation or column name. */
    static boolean cannotNameRelation(String word) {
        return RESERVED.contains(word) || TYPE_FUNC_NAME.contains(word);
    }

    private static Set<String> words(String spaceSeparated) {
        return Set.of(spaceSeparated.trim().split(" +"));
    }
}

/**
 * The catalog's verdicts on reads and writes, kept per database and statement shape and shared by
 * every session: what a session asks before it serves a read or forwards a write.
 */
package io.pgmemo.cache.verdicts;

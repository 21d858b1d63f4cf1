/**
 * What a statement may change, judged from its classification: which cached data to drop
 * ({@link io.pgmemo.cache.effects.Invalidation}), whether it may have changed the session's own
 * state or its prepared statements, and which statements only the catalog can bound.
 */
package io.pgmemo.cache.effects;

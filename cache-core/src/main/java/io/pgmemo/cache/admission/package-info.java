/**
 * Which misses are stored ({@link io.pgmemo.cache.admission.Doorkeeper}: a full cache takes a result
 * on its second miss) and which wait for an identical read already on its way upstream
 * ({@link io.pgmemo.cache.admission.Flight}).
 */
package io.pgmemo.cache.admission;

// SPDX-License-Identifier: Apache-2.0
/**
 * Load generators for side-by-side benchmarks (Postern and Dovecot): a minimal IMAP client (RFC 9051,
 * IDLE RFC 2177, implicit TLS RFC 8314) and a few lines of SMTP (RFC 5321) to wake IDLE sessions.
 *
 * <p>Invariants: every target is a loopback address ({@link org.postern.bench.Target}); every run is
 * bounded in clients/connections and in time; results are one JSON object a line on stdout. Only the
 * {@code accounts} and {@code load-store} commands touch Postern's classes, with postern.jar on the
 * class path; the IMAP load generators need nothing beyond the JDK.
 */
package org.postern.bench;

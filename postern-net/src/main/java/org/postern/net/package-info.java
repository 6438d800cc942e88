// SPDX-License-Identifier: Apache-2.0
/**
 * Listeners, connections, the strict CRLF line reader and TLS (implicit and STARTTLS, hot reload).
 *
 * <p>RFC 5321 §2.3.8 (only CRLF ends a line), RFC 3207 §4.2 and RFC 2595 §4 (after STARTTLS/STLS the
 * server discards what it knew; here also every byte the client sent before the handshake:
 * CVE-2011-0411), RFC 8314 (implicit TLS), RFC 8996 (no TLS below 1.2), RFC 7301 §3.2 (a client
 * offering only ALPN protocols the port does not speak is refused with no_application_protocol:
 * HOSTILE A41, ALPACA), RFC 8737 §3 (a handshake negotiating "acme-tls/1" gets the TLS-ALPN-01
 * validation certificate for the name in its SNI while that challenge is open, and no certificate
 * otherwise; no other handshake ever sees a validation certificate).
 *
 * <p>Invariants: one virtual thread per connection; every read has a timeout, and so has every write
 * ({@link org.postern.net.Deadlines}, which keeps read timeouts without a timer per read once the
 * connection has spoken): a peer that stops reading is reset, never waited for;
 * {@link org.postern.net.Connection#close()} returns within its linger bound whatever the peer does;
 * the reader never buffers more than its burst buffer plus the caller's line limit, and a connection
 * waiting for input holds only small buffers.
 */
package org.postern.net;

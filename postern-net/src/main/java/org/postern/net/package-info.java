// SPDX-License-Identifier: Apache-2.0
/**
 * Listeners, connections, the strict CRLF line reader and TLS (implicit and STARTTLS, hot reload).
 *
 * <p>RFC 5321 §2.3.8 (only CRLF ends a line), RFC 3207 §4.2 and RFC 2595 §4 (after STARTTLS/STLS the
 * server discards what it knew; here also every byte the client sent before the handshake:
 * CVE-2011-0411), RFC 8314 (implicit TLS), RFC 8996 (no TLS below 1.2).
 *
 * <p>Invariants: one virtual thread per connection; every read has a timeout; the reader never
 * buffers more than its fixed buffer plus the caller's line limit.
 */
package org.postern.net;

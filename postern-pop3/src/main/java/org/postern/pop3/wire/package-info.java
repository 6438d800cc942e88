// SPDX-License-Identifier: Apache-2.0
/**
 * POP3 wire syntax without I/O: command lines to {@link org.postern.pop3.wire.Pop3Command} records
 * (RFC 1939 §3, §5-§7; RFC 2449 CAPA; RFC 2595 STLS; RFC 5034 AUTH; RFC 6856 UTF8) and the message
 * transfer encoding of RETR/TOP (RFC 1939 §3 byte-stuffing, §11 octet counts).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every input is bounded: a command line is at most {@link Pop3Parser#MAX_LINE} octets
 *       without CRLF (RFC 2449 §4: 255 including CRLF); longer lines never reach the parser whole.</li>
 *   <li>Bad input yields {@link Pop3Command.Invalid} with a reply text that never echoes the client's
 *       bytes (ALPACA: an HTTP request sent to this port must not be reflected).</li>
 *   <li>The octets {@link MessageWriter#size} counts are exactly the octets {@link MessageWriter#write}
 *       sends before byte-stuffing, so LIST, STAT and RETR always agree, with or without the
 *       {@link HeaderDowngrade} a client without UTF8 gets (RFC 6856 §2, RFC 6858 §3).</li>
 *   <li>A downgrade holds at most {@link MessageWriter#MAX_DOWNGRADE_HEADER} octets of header in
 *       memory; a longer header has its non-ASCII octets replaced instead.</li>
 * </ul>
 */
package org.postern.pop3.wire;

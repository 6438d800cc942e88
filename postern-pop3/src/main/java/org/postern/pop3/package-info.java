// SPDX-License-Identifier: Apache-2.0
/**
 * The POP3 server: RFC 1939 (POP3), RFC 2449 (CAPA, response codes, PIPELINING, EXPIRE, LOGIN-DELAY,
 * IMPLEMENTATION), RFC 2595 §4 (STLS), RFC 3206 (SYS and AUTH response codes), RFC 5034 (AUTH with
 * SASL), RFC 6856 (UTF8, with the RFC 6858 downgrade for other clients), RFC 8314 (implicit TLS on
 * port 995).
 *
 * <p>Invariants:
 * <ul>
 *   <li>The maildrop is the account's INBOX, frozen at login: message numbers are positions in that
 *       snapshot and never change during a session (RFC 1939 §5).</li>
 *   <li>One POP3 session per account at a time in this process (RFC 1939 §8 exclusive lock); a
 *       second one gets {@code -ERR [IN-USE]} (RFC 2449 §8.1.2). The lock goes with the session,
 *       however it ends.</li>
 *   <li>Nothing is deleted before the UPDATE state, which only QUIT enters (RFC 1939 §6): a dropped
 *       connection deletes nothing.</li>
 *   <li>No password crosses the wire in clear unless the configuration allows it: before TLS, USER,
 *       PASS and AUTH are refused and not advertised (RFC 8314 §3, RFC 2595 §2.2).</li>
 *   <li>After STLS, bytes the client pipelined in plaintext are discarded, never executed under TLS
 *       (CVE-2011-0411); the connection does that in {@code startTls}.</li>
 *   <li>No socket write happens while a store call is in progress: store calls return records, and
 *       replies are written afterwards.</li>
 *   <li>Replies never echo client text (ALPACA), and 20 consecutive errors end the session.</li>
 *   <li>LIST and STAT report exactly the octets RETR sends (RFC 1939 §5, §11): sizes are measured
 *       from the message itself, once per blob ({@link WireSizes}), never taken on trust from the
 *       stored size; login reads no message.</li>
 *   <li>Before login a client has {@link Pop3Config#loginIdleTimeout()} of silence and
 *       {@link Pop3Config#loginDeadline()} in all; RFC 1939's 10-minute timer is for logged-in users.</li>
 *   <li>\Seen for what RETR sent is written once per session, at QUIT or when the connection ends
 *       (as Dovecot does); TOP never sets it.</li>
 * </ul>
 */
package org.postern.pop3;

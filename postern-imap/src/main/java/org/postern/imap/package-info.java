// SPDX-License-Identifier: Apache-2.0
/**
 * The IMAP4rev1 server (RFC 3501) with IDLE (RFC 2177), NAMESPACE (RFC 2342), ID (RFC 2971),
 * UNSELECT (RFC 3691), UIDPLUS (RFC 4315), SASL-IR (RFC 4959), ENABLE (RFC 5161), SPECIAL-USE
 * (RFC 6154), MOVE (RFC 6851), LITERAL+ (RFC 7888), STARTTLS and LOGINDISABLED (RFC 3501 §6.2.1,
 * RFC 9051 §6.2.1) and response codes of RFC 5530.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Never write to the socket while a store call is in progress; store calls finish, then the
 *       session writes (a slow client must not block anyone else).</li>
 *   <li>Sequence numbers change only where the session reports it: EXPUNGE never during FETCH,
 *       STORE or SEARCH (RFC 3501 §7.4.1); {@link org.postern.imap.CommandTable} says where.</li>
 *   <li>One place writes tagged NO/BAD: the session loop, from {@link org.postern.imap.ImapException}.</li>
 *   <li>No credential is checked before TLS unless plaintext auth is configured (HOSTILE A17), and
 *       nothing pipelined before STARTTLS is executed after it (HOSTILE A02).</li>
 *   <li>Every input is bounded: line and command size, literal count and size, SEARCH depth.</li>
 * </ul>
 */
package org.postern.imap;

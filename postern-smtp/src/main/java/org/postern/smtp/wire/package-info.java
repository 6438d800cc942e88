// SPDX-License-Identifier: Apache-2.0
/**
 * SMTP syntax without I/O: command lines to {@link org.postern.smtp.wire.SmtpCommand} records, paths and
 * ESMTP parameters, and replies with enhanced status codes.
 *
 * <p>RFC 5321 (§4.1 commands, §4.1.2 path syntax, §4.5.3.1 size limits, App. C source routes),
 * RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 4954 (AUTH), RFC 3207 (STARTTLS),
 * RFC 3030 (BDAT, BODY=BINARYMIME), RFC 3461 (RET, ENVID, NOTIFY, ORCPT and xtext), RFC 8689 (REQUIRETLS),
 * RFC 4865 (HOLDFOR and HOLDUNTIL, the latter an RFC 3339 date-time), RFC 2034 and RFC 3463 (enhanced
 * status codes).
 *
 * <p>Invariants:
 * <ul>
 *   <li>The parser never throws on any input: every malformed line becomes an
 *       {@link org.postern.smtp.wire.SmtpCommand.Invalid} carrying the reply to give.</li>
 *   <li>Nothing is ever truncated: an over-long local part, domain or path is refused, because a
 *       truncated address can name a different mailbox (HOSTILE A10).</li>
 *   <li>A CR or LF inside a command line is refused, never treated as a line end (HOSTILE A07).</li>
 *   <li>{@code %}, {@code !}, quoted local parts and address literals are never routing: they are
 *       parsed into a plain {@link org.postern.core.MailAddress} and judged as such (HOSTILE A15).</li>
 * </ul>
 */
package org.postern.smtp.wire;

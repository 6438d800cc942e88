// SPDX-License-Identifier: Apache-2.0
/**
 * The SMTP server: sessions for MX (port 25), submission (587, RFC 6409) and submissions (465,
 * RFC 8314), and {@link org.postern.smtp.server.MailIntake}, the interface accepted mail is handed to
 * (implemented by postern-delivery).
 *
 * <p>RFC 5321 (session, replies, limits §4.5.3), RFC 2920 (PIPELINING), RFC 1870 (SIZE),
 * RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2034/3463 (enhanced status codes), RFC 3207
 * (STARTTLS), RFC 4954 (AUTH), RFC 3848 (Received: "with" keywords, written by the intake),
 * RFC 3030 (CHUNKING and BINARYMIME), RFC 3461 (DSN parameters, handed to the intake in the
 * {@link org.postern.smtp.server.Envelope}), RFC 8689 (REQUIRETLS, offered and accepted only under TLS),
 * RFC 4865 (FUTURERELEASE on the submission ports only; the hold reaches the intake as an absolute time).
 *
 * <p>Invariants:
 * <ul>
 *   <li>"250" after DATA only once {@link org.postern.smtp.server.MailIntake#accept} returned, i.e. the
 *       message is durable (RFC 5321 §6.1). Store failure gives 451, never 250. The same holds for
 *       BDAT LAST; earlier chunks get "250 ... octets received" and are not yet durable.</li>
 *   <li>BDAT data is length-framed: whatever the answer, exactly the announced octets are read or
 *       discarded (or the session ends), so chunk data is never parsed as commands (HOSTILE A64). A
 *       connection lost mid-chunk delivers nothing.</li>
 *   <li>Only CRLF.CRLF ends DATA; bare CR or LF anywhere refuses the message whole (CVE-2023-51764);
 *       the data reader never reads past the end-of-data marker.</li>
 *   <li>STARTTLS discards pipelined plaintext and all session state (CVE-2011-0411; RFC 3207 §4.2).</li>
 *   <li>AUTH is offered and accepted only under TLS unless explicitly configured; submission needs
 *       AUTH before MAIL (530).</li>
 *   <li>Every input is bounded: command line 4096 (AUTH 12288), text line 1000, message size,
 *       recipients, Received: count, errors per session, idle time and session duration.</li>
 *   <li>A slow client never holds anything but its own session: the intake is called without locks
 *       held by the session.</li>
 * </ul>
 */
package org.postern.smtp.server;

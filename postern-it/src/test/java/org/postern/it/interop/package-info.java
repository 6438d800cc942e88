// SPDX-License-Identifier: Apache-2.0
/**
 * Interoperability with programs nobody here wrote, run as separate processes on loopback: Postfix as
 * the other MTA both ways (RFC 5321, STARTTLS of RFC 3207), swaks and Python's smtplib as submission
 * clients (RFC 6409), offlineimap3 as a two-way IMAP synchroniser (RFC 3501/9051).
 *
 * <p>Invariants: every program runs under a deadline and is destroyed when it passes; every server
 * started here (Postern, a private Postfix) binds 127.0.0.1 only and is stopped at the end; a test is
 * skipped, with the reason, only when the program cannot be installed on this machine.
 */
package org.postern.it.interop;

// SPDX-License-Identifier: Apache-2.0
/**
 * Adversarial integration tests: what an attacker sends on the wire to the assembled server, table-driven
 * from ../shared/HOSTILE.md section (a) (rows A01-A20) and its C1 batteries.
 *
 * <p>References: RFC 3207 §4.2 and RFC 2595 §4 (STARTTLS/STLS, CVE-2011-0411 injection); RFC 9051 §6.2.1,
 * §6.2.3 (IMAP STARTTLS, LOGINDISABLED); RFC 5321 §2.3.8, §4.1.1.4, §4.5.2, §4.5.3 (line ends, dot-stuffing,
 * limits); RFC 1870 §6 (SIZE); RFC 4954 §4 (AUTH needs TLS); RFC 4616 §2 (PLAIN authzid); RFC 5530
 * (PRIVACYREQUIRED, AUTHORIZATIONFAILED); RFC 6409 §6.1 (submission sender check); RFC 8314 §4.
 *
 * <p>Invariants every test here keeps: one server per class; each oracle looks at what the store holds
 * ({@code server.store()}) or at the exact reply lines, never at log output; every wait is a read with a
 * timeout or a deadline loop, so a server that hangs fails the test instead of hanging the build.
 */
package org.postern.it.hostile;

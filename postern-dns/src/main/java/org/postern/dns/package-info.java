// SPDX-License-Identifier: Apache-2.0
/**
 * DNS look-ups for mail: MX (RFC 5321 §5.1, RFC 7505 null MX), A/AAAA and TXT (SPF, DMARC, DKIM keys
 * and MTA-STS records later), through {@link org.postern.dns.DnsResolver}, an interface tests
 * can point at a local fake server.
 *
 * <p>RFC 1035 (messages, RCODEs), RFC 2308 (NXDOMAIN versus NODATA), RFC 3596 (AAAA), RFC 7766 (TCP
 * when a UDP answer is truncated).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every look-up ends: a bounded timeout, a bounded number of records kept per answer.</li>
 *   <li>"No such domain", "no records of this type" and "could not ask" stay distinct
 *       ({@link org.postern.dns.DnsAnswer.Status}): the first two are facts, the last one
 *       only ever leads to a retry, never to a bounce.</li>
 *   <li>Names go out in their ASCII (A-label) form; internationalized names are converted first.</li>
 * </ul>
 */
package org.postern.dns;

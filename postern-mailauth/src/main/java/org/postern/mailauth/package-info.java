// SPDX-License-Identifier: Apache-2.0
/**
 * Mail authentication: {@link org.postern.mailauth.MailAuthCheck} runs SPF (RFC 7208), DKIM (RFC 6376,
 * RFC 8463) and DMARC (RFC 7489) on an inbound message and writes the Authentication-Results field
 * (RFC 8601, with header.b of RFC 6008); {@link org.postern.mailauth.dkim.DkimSigner} signs outgoing mail.
 *
 * <p>Invariants:
 * <ul>
 *   <li>No I/O except DNS questions through {@link org.postern.dns.DnsResolver}; every count of them is bounded
 *       (SPF's limits, DKIM signatures per message, two DMARC questions per From domain).</li>
 *   <li>A DNS failure never turns into a reject: only a published DMARC p=reject with no aligned pass does.</li>
 *   <li>Incoming Authentication-Results fields that claim our authserv-id are forgeries (RFC 8601 §5);
 *       {@link org.postern.mailauth.AuthenticationResults#claims} finds them so the caller removes them.</li>
 * </ul>
 */
package org.postern.mailauth;

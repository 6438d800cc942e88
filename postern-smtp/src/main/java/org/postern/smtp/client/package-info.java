// SPDX-License-Identifier: Apache-2.0
/**
 * The SMTP client that relays queued mail to other domains: destination look-up, one session per
 * destination host carrying every recipient of that domain, per-recipient outcomes.
 *
 * <p>RFC 5321 (§5.1 MX look-up and A/AAAA fallback with randomized equal preferences, §4.2 replies,
 * §4.5.2 transparency, §4.5.3.2 timeouts, §4.4 no Return-Path: when relaying), RFC 7505 (null MX),
 * RFC 3207 (STARTTLS, used opportunistically), RFC 2920 (PIPELINING), RFC 1870 (SIZE),
 * RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2034 and RFC 3463 (enhanced status codes),
 * RFC 3461 (DSN parameters passed on to a next hop that advertises DSN), RFC 3030 (BINARYMIME bodies
 * sent with BDAT), RFC 8689 (REQUIRETLS), RFC 8461 (MTA-STS: policy look-up, fetch, cache and
 * enforcement), RFC 6125 (server identity checks of validated TLS), and for a smarthost relay:
 * RFC 4954 (AUTH) with RFC 4616 (PLAIN) or LOGIN, RFC 8314 §3.3 (implicit TLS).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Only CRLF leaves this client: the body is re-framed line by line, a stray CR or LF becomes
 *       CRLF, lines starting with "." are dot-stuffed, and the message always ends with CRLF before
 *       the final "." (no end-of-data smuggling through Postern, CVE-2023-51764).</li>
 *   <li>A recipient is reported delivered only after the server's 2xx to the final "."; any failure
 *       after that point's uncertainty (connection lost while waiting) is temporary, never delivered.</li>
 *   <li>Every read has a timeout and every reply a bound on its line count and length.</li>
 *   <li>Validated TLS (an enforced MTA-STS policy, a REQUIRETLS message) never falls back: no
 *       plaintext, no unvalidated certificate, no MX host outside the policy. Opportunistic TLS
 *       accepts any certificate and may fall back to plaintext, as Postfix's "may".</li>
 *   <li>A REQUIRETLS message (with a non-null reverse-path) that finds no qualifying host is returned
 *       (5.7.10, 5.7.30); mail under an enforced MTA-STS policy waits instead (RFC 8461 §5).</li>
 *   <li>"TLS-Required: No" in the header (RFC 8689 §4.2.2) switches MTA-STS off for that message,
 *       unless the message also carries REQUIRETLS (§4.1).</li>
 *   <li>A smarthost is reached only over TLS (implicit, or STARTTLS that must be offered and must
 *       succeed), verified unless the operator opted out; credentials are sent only inside that TLS.
 *       Any failure there keeps the mail queued (4.7.0), it never falls back to plaintext.</li>
 *   <li>A DNS failure or a connection failure is temporary; only an explicit 5xx, a null MX or a
 *       domain that does not exist is permanent.</li>
 * </ul>
 */
package org.postern.smtp.client;

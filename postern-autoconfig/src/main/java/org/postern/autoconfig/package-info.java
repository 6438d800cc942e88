// SPDX-License-Identifier: Apache-2.0
/**
 * What mail clients and other mail servers fetch over HTTPS to configure themselves: Thunderbird's
 * autoconfig file (config-v1.1.xml), Microsoft Autodiscover (the POX XML endpoint and the v2 JSON
 * endpoint), Apple configuration profiles (.mobileconfig), and the MTA-STS policy (RFC 8461 §3.2).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Implicit TLS comes first everywhere (RFC 8314 §3.3, §4.1): IMAP 993, POP3 995, submission
 *       465, then the STARTTLS ports 143, 110, 587. Every document lists the ports the server
 *       actually bound (offset applied), never the standard numbers by assumption.</li>
 *   <li>The writers and the request parser are pure: values in, text out. Only
 *       {@link org.postern.autoconfig.AutoconfigHandler} touches HTTP.</li>
 *   <li>Autodiscover request XML is parsed with DTDs and external entities refused, and its size is
 *       bounded ({@link org.postern.autoconfig.AutodiscoverRequestParser#MAX_BYTES}).</li>
 *   <li>The QR code and ports.json are bounded: the QR text is at most
 *       {@link org.postern.autoconfig.QrCodeWriter#MAX_TEXT} characters and only for local domains;
 *       the port check runs at most once per {@link org.postern.autoconfig.PortStatus#TTL}.</li>
 *   <li>No document carries a password, except a .mobileconfig the user explicitly asks to include
 *       it in while giving it (HTTP Basic); never one fetched by session or signed link.</li>
 *   <li>A signed profile link ({@link org.postern.autoconfig.ProfileLinkSigner}) is made only for
 *       the browser session's own address, and lives at most 15 minutes and never beyond the process.</li>
 * </ul>
 */
package org.postern.autoconfig;

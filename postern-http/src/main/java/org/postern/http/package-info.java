// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTPS server (Jetty 12 core handlers): HTTP/1.1 (RFC 9112) and HTTP/2 (RFC 9113, negotiated
 * with ALPN, RFC 7301; "acme-tls/1" of RFC 8737 is accepted only to complete a TLS-ALPN-01
 * validation handshake, then closed) over TLS 1.2/1.3 with the same certificate as the mail ports (the same
 * reloading key manager, so renewed PEM files reach HTTPS without a restart), plain HTTP that only
 * redirects to HTTPS, a {@link org.postern.http.Router} other modules (JMAP, webmail, autoconfig)
 * register their handlers with, {@link org.postern.http.StaticFiles} for the webmail's assets, and
 * the browser session machinery ({@link org.postern.http.WebSessions} over a {@link org.postern.http.SessionTable},
 * in memory or, adapted by the server, in the store shared by every node; {@link org.postern.http.SessionCookie}
 * per RFC 6265, {@link org.postern.http.Origins} per RFC 6454).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every response, errors included, carries the security headers of {@link SecurityHeaders}
 *       (HSTS per RFC 6797 only over TLS).</li>
 *   <li>Plain HTTP never serves content: every request gets a redirect, so no credentials or cookies
 *       are ever read from an unencrypted connection.</li>
 *   <li>Every input is bounded: header size, body size ({@link HttpConfig#maxBodyBytes}), connections
 *       in total and per client address, and time: the TLS handshake and each request's header block
 *       have whole-phase deadlines ({@code ConnectionGuard}), a body must keep a minimum rate
 *       ({@code BodyRateLimit}), and silence ends a connection after the idle timeout.</li>
 *   <li>A session cookie value is never stored: the server keeps its SHA-256 only.</li>
 *   <li>A session ended anywhere is refused everywhere within {@code WebSessions.Config#cacheTtl};
 *       never served past its idle or absolute timeout.</li>
 *   <li>A request path is never used as a file name without segment-by-segment validation and a
 *       check that the real path stays under the root.</li>
 * </ul>
 */
package org.postern.http;

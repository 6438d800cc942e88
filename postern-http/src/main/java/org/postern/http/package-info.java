// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTPS server (Jetty 12 core handlers): HTTP/1.1 (RFC 9112) and HTTP/2 (RFC 9113, negotiated
 * with ALPN, RFC 7301) over TLS 1.2/1.3 with the same certificate as the mail ports, plain HTTP that
 * only redirects to HTTPS, and a {@link org.postern.http.Router} other modules (JMAP, webmail,
 * autoconfig) register their handlers with.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every response, errors included, carries the security headers of {@link SecurityHeaders}
 *       (HSTS per RFC 6797 only over TLS).</li>
 *   <li>Plain HTTP never serves content: every request gets a redirect, so no credentials or cookies
 *       are ever read from an unencrypted connection.</li>
 *   <li>Every input is bounded: header size, body size ({@link HttpConfig#maxBodyBytes}), idle time.</li>
 * </ul>
 */
package org.postern.http;

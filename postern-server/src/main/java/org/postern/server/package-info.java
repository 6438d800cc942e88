// SPDX-License-Identifier: Apache-2.0
/**
 * The assembly: the only package that knows every module. {@link org.postern.server.PosternServer}
 * wires store, authentication, TLS and the protocol handlers with plain constructors; {@link
 * org.postern.server.Startup} is the first-start and every-start behaviour of DESIGN.md §6-7;
 * {@link org.postern.server.Main} is the {@code postern} program; {@link org.postern.server.StoreBackend}
 * is the one place that picks the store backend postern.conf names, for the server and the CLI alike.
 *
 * <p>Invariants: a start either binds every port or binds none (what was bound is closed again) and
 * names the port that failed; postern.conf is written last on a first start so a failed first start
 * is retried as a first start; shutdown says goodbye to sessions before closing the store.
 * With {@code acme = on} ({@link org.postern.server.AcmeService}, RFC 8555, RFC 8737) the server starts on a
 * self-signed placeholder and the renewal task replaces it once the CA answers; {@link
 * org.postern.server.CertificateWatch} warns 14 days before any served certificate expires.
 * With {@code warmup = on}, {@link org.postern.server.Warmup} drives a second, throwaway server in this JVM
 * (its own store in a temporary folder, loopback ports) after the listeners opened: it never opens the real
 * store or folder, never delays a real session, is bounded in CPU and time, and deletes its folder.
 */
package org.postern.server;

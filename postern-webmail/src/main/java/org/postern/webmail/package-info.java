// SPDX-License-Identifier: Apache-2.0
/**
 * The webmail. The browser code (resources under {@code static/}) speaks only JMAP (RFC 8620, RFC 8621)
 * to the server; this package serves those files and the one thing a browser must not do itself:
 * turning a message's HTML into something safe to show (sanitized here, rendered in a sandboxed frame
 * under a CSP of its own). {@link org.postern.webmail.AccountEndpoint} tells the UI what else to offer a
 * session (the admin page's link); it grants nothing. {@link org.postern.webmail.PrefetchEndpoint}
 * gives a login a head start by reading the Inbox's index while the UI loads; it changes nothing.
 *
 * <p>Invariants:
 * <ul>
 * <li>Message content reaches the browser only through {@link org.postern.webmail.MessageView}, as a
 *     document whose CSP has no script source and the sandbox directive; the UI never inserts it into
 *     its own page.</li>
 * <li>The sanitizer works on a parsed DOM (jsoup, the HTML5 algorithm) with an allow-list, never on
 *     strings; what it lets through is re-checked by parsing again in the tests (idempotence).</li>
 * <li>No request the message makes leaves for a remote host unless the reader allowed remote
 *     content for that message: the server never fetches message-supplied URLs itself.</li>
 * <li>Every input is bounded: message bytes, decoded text, DOM depth, CSS size, inline image bytes,
 *     concurrent renders.</li>
 * <li>A prefetch (the UI warming the messages it expects next) only fills the server's
 *     {@link org.postern.webmail.RenderCache}: it answers 204 without the body, never waits for or
 *     takes every render permit ({@link org.postern.webmail.RenderPool}), and the body the frame then
 *     loads carries exactly the headers it would have without it.</li>
 * </ul>
 * References: RFC 8621 §4.1.4 (which parts form the HTML body), RFC 2392 (cid: URLs), RFC 9110 §8.8.3
 * and §13.1 (ETag, conditional GET), RFC 9111 (no-cache), RFC 8246 (immutable versioned files).
 */
package org.postern.webmail;

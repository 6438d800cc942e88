// SPDX-License-Identifier: Apache-2.0
/**
 * The webmail. The browser code (resources under {@code static/}) speaks only JMAP (RFC 8620, RFC 8621)
 * to the server; this package serves those files and the one thing a browser must not do itself:
 * turning a message's HTML into something safe to show (sanitized here, rendered in a sandboxed frame
 * under a CSP of its own).
 */
package org.postern.webmail;

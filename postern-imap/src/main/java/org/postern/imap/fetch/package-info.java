// SPDX-License-Identifier: Apache-2.0
/**
 * The FETCH engine: ENVELOPE, BODY/BODYSTRUCTURE, BODY[section]&lt;partial&gt; (RFC 3501 §6.4.5, §7.4.2),
 * built on the MIME parser of postern-core.
 *
 * <p>Invariants: sections are served byte-exact from the stored message; all message-controlled text
 * goes through {@link org.postern.imap.codec.ResponseWriter}'s string rules; whole bodies of large
 * messages are streamed from the blob; the parsed-message cache is small and per session; the
 * rendered ENVELOPE/BODY/BODYSTRUCTURE cache is per server, bounded by bytes, keyed by the immutable
 * blob id, and its entries are byte-identical to a fresh rendering (no session state goes into them).
 */
package org.postern.imap.fetch;

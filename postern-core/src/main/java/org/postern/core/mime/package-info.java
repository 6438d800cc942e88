// SPDX-License-Identifier: Apache-2.0
/**
 * The message model: a tolerant, bounded parser from the stored bytes of a message to a tree of
 * parts, plus the header-level syntaxes that IMAP FETCH/SEARCH, SMTP and webmail build on.
 *
 * <p>RFC 5322 §2.2 (header fields, folding), §3.3 (date-time), §3.4 (address lists), §4 (obsolete
 * syntax); RFC 2045 §5-6 (Content-Type defaults, transfer encodings), RFC 2046 §5.1 (multipart
 * boundaries), §5.2 (message/rfc822); RFC 2047 (encoded words); RFC 2183 (Content-Disposition);
 * RFC 2231 (parameter continuations and charsets); RFC 6532 (UTF-8 headers, message/global).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Parsing never throws on bad input and never copies the message: every part is a set of
 *       offsets into the original byte array, so IMAP serves {@code BODY[1.2.MIME]} and
 *       {@code BODY[2.TEXT]} as exact slices.</li>
 *   <li>One forward pass over the lines; no recursion. Nesting depth, part count, header count and
 *       header bytes are capped by {@link org.postern.core.mime.MimeLimits}; beyond a cap the rest is
 *       an opaque body, never an exception (HOSTILE A32-A36, A70, A71).</li>
 *   <li>{@code isMultipart()} implies at least one child; {@code isMessage()} implies an encapsulated
 *       part. A multipart without a usable boundary is reported as text/plain (RFC 2045 §5.2), one cut
 *       off by a limit as application/octet-stream.</li>
 *   <li>Decoders (RFC 2047, RFC 2231, base64, quoted-printable) leave bad input as it is or replace
 *       it with U+FFFD; their output is never larger than their input.</li>
 * </ul>
 */
package org.postern.core.mime;

// SPDX-License-Identifier: Apache-2.0
/**
 * IMAP wire encodings: modified UTF-7 mailbox names (RFC 3501 §5.1.3) and response serialisation
 * (RFC 3501 §4.3 strings, §7 responses).
 *
 * <p>Invariants: decoding is strict (one wire form per name, invalid input is refused, never an
 * exception); every piece of client- or message-controlled text leaves through
 * {@link org.postern.imap.codec.ResponseWriter#string}, which cannot produce a bare CR or LF.
 */
package org.postern.imap.codec;

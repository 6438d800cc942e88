// SPDX-License-Identifier: Apache-2.0
/**
 * The IMAP command grammar as a pure function: bytes of one command (line plus inline literals) in,
 * a {@link org.postern.imap.parse.Request} or a {@link org.postern.imap.parse.ParseException} out.
 * RFC 3501 §9 (IMAP4rev1), RFC 2177 (IDLE), RFC 2342 (NAMESPACE), RFC 2971 (ID), RFC 3691
 * (UNSELECT), RFC 4315 (UID EXPUNGE), RFC 4959 (SASL-IR), RFC 5161 (ENABLE), RFC 6851 (MOVE).
 *
 * <p>Invariants: no I/O and no state; every loop is bounded by the input length or an explicit cap
 * (SEARCH depth {@value org.postern.imap.parse.CommandParser#MAX_SEARCH_DEPTH}, sequence-set ranges
 * {@value org.postern.imap.parse.SequenceSet#MAX_RANGES}); numbers above 2^32-1 are refused; sequence
 * sets are kept as ranges and never expanded (HOSTILE A21-A24, A69).
 */
package org.postern.imap.parse;

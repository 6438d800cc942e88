// SPDX-License-Identifier: Apache-2.0
/**
 * The IMAP command grammar as a pure function: bytes of one command (line plus inline literals) in,
 * a {@link org.postern.imap.parse.Request} or a {@link org.postern.imap.parse.ParseException} out.
 * RFC 3501 §9 (IMAP4rev1), RFC 2177 (IDLE), RFC 2342 (NAMESPACE), RFC 2971 (ID), RFC 3691
 * (UNSELECT), RFC 4315 (UID EXPUNGE), RFC 4959 (SASL-IR), RFC 5161 (ENABLE), RFC 6851 (MOVE),
 * RFC 9051 §9 (IMAP4rev2), RFC 4466 (extended SELECT/FETCH/STORE/SEARCH/LIST syntax), RFC 7162
 * (CONDSTORE/QRESYNC modifiers), RFC 4731 and RFC 5182 (SEARCH RETURN, "$"), RFC 5032 (YOUNGER,
 * OLDER), RFC 5258 and RFC 5819 (extended LIST), RFC 6154 §3 (CREATE USE), RFC 3516 (BINARY,
 * literal8), RFC 3502 (MULTIAPPEND), RFC 6855 (UTF8 APPEND), RFC 8474 and RFC 8514 (object ids,
 * save date), RFC 5256, RFC 5267 and RFC 5957 (SORT, THREAD, ESORT, DISPLAYFROM), RFC 8508
 * (REPLACE), RFC 8970 (PREVIEW), RFC 4469 (CATENATE) with RFC 5092 URLs. With {@code utf8Names} mailbox names are taken as UTF-8 instead of modified UTF-7.
 *
 * <p>Invariants: no I/O and no state; every loop is bounded by the input length or an explicit cap
 * (SEARCH depth {@value org.postern.imap.parse.CommandParser#MAX_SEARCH_DEPTH}, sequence-set ranges
 * {@value org.postern.imap.parse.SequenceSet#MAX_RANGES}, LIST patterns, ENABLE names); numbers above
 * 2^32-1 are refused (MODSEQs above 2^63-1); sequence
 * sets are kept as ranges and never expanded (HOSTILE A21-A24, A69).
 */
package org.postern.imap.parse;

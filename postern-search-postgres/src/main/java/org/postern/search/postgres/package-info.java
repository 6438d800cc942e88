// SPDX-License-Identifier: Apache-2.0
/**
 * Full-text search for IMAP SEARCH (RFC 9051 §6.4.4) and JMAP Email/query and SearchSnippet (RFC 8621
 * §4.4, §5) held in the store's PostgreSQL database, so nodes keep no search state of their own. Entry
 * point: {@link org.postern.search.postgres.PostgresSearchIndex#open}.
 *
 * <p>Invariants:
 * <ul>
 * <li>Answers are exactly {@link org.postern.search.SearchText#matches}: case-folded text compared with
 * {@code LIKE '%needle%'} (the needle's {@code % _ \} escaped) or, for one header field, an anchored
 * regular expression with every punctuation character escaped; trigram indexes only narrow what
 * PostgreSQL checks. Characters the columns cannot hold are stored as U+FFFD and a needle holding such
 * a character is confirmed against the message ({@link org.postern.search.postgres.PostgresText}).
 * <li>Every table leads its key with the account and every statement names the account and mailbox.
 * <li>A mailbox's mark (MODSEQ, highest UID indexed) is written in the transaction that writes the rows
 * it covers, and a search reads both in one snapshot, so {@code indexedUid} never claims a missing row.
 * <li>Each message is indexed once per cluster: the mark row is the claim ({@code SKIP LOCKED}).
 * <li>Work is bounded: a statement timeout per search, {@code CHUNK} messages per claim transaction.
 * </ul>
 */
package org.postern.search.postgres;

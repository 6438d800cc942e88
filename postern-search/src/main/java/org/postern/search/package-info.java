// SPDX-License-Identifier: Apache-2.0
/**
 * Full-text search for IMAP SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4) and JMAP Email/query and
 * SearchSnippet (RFC 8621 §4.4, §5), behind the {@link org.postern.search.SearchIndex} interface: here
 * a local Lucene index under {@code DATA/index/} ({@link org.postern.search.LuceneSearchIndex}); the one
 * held in PostgreSQL is in {@code postern-search-postgres}. The invariants below hold for both (the
 * {@code SearchIndexContract} of the test-jar checks them); those about commits and refreshes are Lucene's.
 *
 * <p>Invariants:
 * <ul>
 * <li>Semantics are IMAP's: a case-insensitive substring of decoded text (RFC 2047 words in headers,
 * transfer and charset decoding of bodies), not a word match. {@link SearchText} defines that text
 * and its brute-force match; the index must answer exactly what {@link SearchText#matches} answers
 * for every message it holds (tests compare the two on a generated corpus).
 * <li>The index is derived data: deleting the folder and restarting rebuilds it from the store. It
 * is fed from the store's change feed by one thread; the per-mailbox high-water mark (MODSEQ and the
 * highest UID indexed) is committed atomically with the documents (Lucene commit user data), so a
 * restart or crash resumes exactly where the last commit stopped and never misses a message.
 * <li>Every query is scoped to one mailbox of one account by a filter term built in one place
 * ({@code LuceneSearchIndex#find}); no caller can ask across accounts.
 * <li>Beside the folded text, the index keeps each message's case-preserved {@link SnippetText}, so a
 * JMAP SearchSnippet is built without reading the message.
 * <li>An answer says up to which UID the mailbox was indexed; callers scan messages above it
 * themselves, so results are never stale.
 * <li>Work is bounded: needle length, grams per query, text per message. Text beyond what is indexed
 * per field is still searched: such messages are flagged and always confirmed from their stored text.
 * <li>Indexing yields the CPUs: while other work keeps the machine busy, the indexer works a tenth of
 * the time, unless work has been pending for 20 seconds ({@code IndexPacer}); answers stay exact
 * because callers scan what lies above the indexed mark.
 * <li>Searchers are refreshed at most about once a second (each refresh writes a segment); answers stay
 * exact because callers scan what lies above the published mark.
 * </ul>
 */
package org.postern.search;

// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The full-text index of every account's messages, as IMAP SEARCH and JMAP Email/query and
 * SearchSnippet use it. Two implementations: {@link LuceneSearchIndex}, a local index in the data folder
 * (one machine), and the PostgreSQL one of {@code postern-search-postgres}, held in the shared database
 * so any node answers at once with no local state.
 *
 * <p>Every implementation answers exactly what {@link SearchText#matches} answers for the messages it
 * holds (the {@code SearchIndexContract} of this module's test-jar checks it), scopes every query to one
 * mailbox of one account, and says in {@link Hits#indexedUid()} up to which UID it holds the mailbox:
 * a caller scans messages above that UID itself, so answers are never stale.
 */
public interface SearchIndex extends AutoCloseable {
    /** Messages of one mailbox whose text matched, and up to which UID the mailbox was indexed. */
    record Hits(long indexedUid, long[] uids) {}

    /**
     * UIDs of the messages of one mailbox up to {@link Hits#indexedUid()} whose text matches, ascending.
     *
     * @throws TimeoutException when the query runs longer than the implementation's bound (a pathological needle)
     */
    Hits find(long accountId, long mailboxId, TextQuery q) throws IOException, TimeoutException;

    /**
     * The normalised text the index holds for one message (JMAP SearchSnippet, RFC 8621 §5), or empty
     * when the message is not indexed (yet) or could not be read.
     */
    Optional<SearchText> text(long accountId, long mailboxId, long uid) throws IOException;

    /**
     * The case-preserved subject and body text of one message, for JMAP SearchSnippet (RFC 8621 §5), or
     * empty when the message is not indexed (yet) or could not be read.
     */
    Optional<SnippetText> snippetText(long accountId, long mailboxId, long uid) throws IOException;

    /** Waits until the mailbox is indexed and searchable up to {@code uid}. For tests and tools. */
    boolean awaitIndexed(long accountId, long mailboxId, long uid, Duration wait) throws InterruptedException;

    /** Waits until the index has nothing left to do that it knows of. For tests and tools. */
    boolean awaitIdle(Duration wait) throws InterruptedException;

    /** Highest UID of a mailbox visible to searches (0 when none). */
    long indexedUid(long accountId, long mailboxId);

    /** Stops indexing and releases what the index holds; never throws. */
    @Override
    void close();
}

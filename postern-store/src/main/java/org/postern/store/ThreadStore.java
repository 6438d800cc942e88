// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Conversation threads of an account's messages, for IMAP THREADID (RFC 8474 §5.2) and JMAP
 * threadId (RFC 8621 §3). Ids are per account and per message body (a copy in another mailbox is
 * in the same thread), assigned once and never changed or reused: a message joins the thread of the
 * first message it names (References, then In-Reply-To) or that names it, else starts a new one.
 * Threads are never merged later, since that would change ids clients hold; so a message naming
 * two existing threads joins the first. Backends thread a message in the transaction that stores it
 * (delivery, APPEND), reading its header section with {@link org.postern.store.backend.ThreadLinks};
 * bodies stored before that (older data) are threaded on first request through
 * {@link #assignThreads}, with links read the same way. Copies in the same account share the body,
 * so they share its id. Ids go with the account and, per body, with the body's last reference.
 */
public interface ThreadStore {
    /**
     * What links a message into a thread. {@code messageId} may be null (no Message-ID field);
     * {@code references} are message ids, root first, the In-Reply-To id last. Ids are compared as
     * given, so callers normalise them (without angle brackets, RFC 5322 §3.6.4).
     */
    record Links(String blobId, String messageId, List<String> references) {
        public Links {
            references = List.copyOf(references);
        }
    }

    /** Thread ids of those of {@code blobIds} that have one, by blob id. */
    Map<String, Long> threadIds(long accountId, Collection<String> blobIds);

    /**
     * Thread ids for the given messages, assigning one (durably, in one transaction) to each body
     * that has none yet; bodies that already have one keep it. Returns an id for every entry.
     */
    Map<String, Long> assignThreads(long accountId, List<Links> messages);
}

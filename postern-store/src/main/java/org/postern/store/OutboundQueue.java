// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The durable queue of mail for other domains. Entries come in through {@link MailStore#deliver}. */
public interface OutboundQueue {
    List<QueuedMessage> list();

    Optional<QueuedMessage> get(long id);

    /** Entries due at {@code now}, oldest first, at most {@code limit}. */
    List<QueuedMessage> due(Instant now, int limit);

    /** Records a failed attempt and when to try again. */
    void deferred(long id, Instant nextAttempt, String lastError);

    /** Makes an entry due now. */
    boolean retryNow(long id);

    /** Removes an entry (delivered, bounced, or deleted by the admin); releases its blob. */
    boolean delete(long id);

    record QueuedMessage(long id, String mailFrom, List<String> recipients, String blobId, long size,
            Instant queuedAt, Instant nextAttempt, int attempts, String lastError) {
        public QueuedMessage {
            recipients = List.copyOf(recipients);
        }
    }
}

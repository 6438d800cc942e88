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

    /**
     * Calls {@code listener} after an entry was committed by this process (to wake a queue runner);
     * close the returned handle to unsubscribe. Listeners must return quickly.
     */
    default AutoCloseable onQueued(Runnable listener) {
        return () -> {};
    }

    /**
     * @param options the envelope's DSN/TLS options (RFC 3461, RFC 8689)
     * @param recipientOptions per recipient, in the order of {@code recipients}
     */
    record QueuedMessage(long id, String mailFrom, List<String> recipients, String blobId, long size,
            Instant queuedAt, Instant nextAttempt, int attempts, String lastError, Intake.Options options,
            List<Intake.RecipientOptions> recipientOptions) {
        public QueuedMessage {
            recipients = List.copyOf(recipients);
            if (options == null) options = Intake.Options.NONE;
            if (recipientOptions == null || recipientOptions.isEmpty()) {
                recipientOptions = java.util.Collections.nCopies(recipients.size(), Intake.RecipientOptions.NONE);
            }
            recipientOptions = List.copyOf(recipientOptions);
        }

        public QueuedMessage(long id, String mailFrom, List<String> recipients, String blobId, long size,
                Instant queuedAt, Instant nextAttempt, int attempts, String lastError) {
            this(id, mailFrom, recipients, blobId, size, queuedAt, nextAttempt, attempts, lastError, null, null);
        }

        /** The options of {@code recipient}, NONE when it is not one of this entry's. */
        public Intake.RecipientOptions optionsOf(String recipient) {
            int i = recipients.indexOf(recipient);
            return i < 0 || i >= recipientOptions.size() ? Intake.RecipientOptions.NONE : recipientOptions.get(i);
        }
    }
}

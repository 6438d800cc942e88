// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of messages an account submitted for delivery (JMAP EmailSubmission, RFC 8621 §7): which
 * message, the envelope used, and where the copies went, so delivery status can be read back from
 * the outbound queue. The message itself travels through {@link MailStore#deliver} like any other.
 * Writes take change numbers as in {@link IdentityStore}.
 */
public interface SubmissionStore {
    /**
     * @param emailId the id the submitting protocol gave the message (opaque to the store)
     * @param threadId likewise
     * @param mailFrom the envelope sender, "" for the null reverse-path
     * @param localRecipients the recipients delivered to local mailboxes at once
     * @param queueId the outbound queue entry of the remote recipients, -1 when all were local
     * @param undoStatus "pending", "final" or "canceled" (RFC 8621 §7)
     */
    record Submission(long id, long accountId, long identityId, String emailId, String threadId, String mailFrom,
            List<String> recipients, List<String> localRecipients, long queueId, Instant sendAt, String undoStatus) {
        public Submission {
            recipients = List.copyOf(recipients);
            localRecipients = List.copyOf(localRecipients);
        }

        public Submission withId(long newId) {
            return new Submission(newId, accountId, identityId, emailId, threadId, mailFrom, recipients, localRecipients,
                    queueId, sendAt, undoStatus);
        }

        public Submission withUndoStatus(String status) {
            return new Submission(id, accountId, identityId, emailId, threadId, mailFrom, recipients, localRecipients,
                    queueId, sendAt, status);
        }
    }

    /**
     * What the outbound queue last learned about one recipient (RFC 8621 §7 DeliveryStatus).
     *
     * @param recipient the address as the queue entry holds it
     * @param delivered "queued", "yes", "no" or "unknown" (§7: a copy relayed to another server is "unknown")
     * @param smtpReply the reply on one line: code, enhanced code, text
     */
    record Delivery(String recipient, String delivered, String smtpReply) {}

    /** Stores a new record; its {@code id} is ignored. @return it with its id */
    Submission create(Submission submission);

    /** The account's submissions in id order. */
    List<Submission> list(long accountId);

    Optional<Submission> get(long accountId, long id);

    /** @return false when there is no such submission */
    boolean setUndoStatus(long accountId, long id, String undoStatus);

    /** Forgets the record (never the message). @return false when there is no such submission */
    boolean delete(long accountId, long id);

    long state(long accountId);

    /** The deliveries recorded for the submission, in the order first recorded; empty when none or no such submission. */
    default List<Delivery> deliveries(long accountId, long id) {
        return List.of();
    }

    /**
     * Records what one attempt of queue entry {@code queueId} learned, for every submission that went
     * out through it: each result replaces that recipient's earlier one. The submissions then point at
     * {@code nextQueueId} (the entry the recipients still waiting moved to; -1 when none wait). A
     * "pending" submission becomes "final" when a copy left for good (a result "yes" or "unknown") or
     * nothing is left to cancel ({@code nextQueueId} -1); RFC 8621 §7. Each submission changed is logged
     * as updated.
     *
     * @return the submissions changed, as they are now
     */
    default List<Submission> recordDelivery(long queueId, List<Delivery> results, long nextQueueId) {
        return List.of();
    }

    /**
     * Changes after {@code since}, about at most {@code maxObjects} objects (then the result stops at
     * an intermediate state and says hasMore), or empty when that state is unknown.
     */
    Optional<ObjectChanges> changes(long accountId, long since, int maxObjects);
}

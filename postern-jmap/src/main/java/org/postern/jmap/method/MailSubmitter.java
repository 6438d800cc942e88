// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import java.util.List;
import org.postern.store.Account;

/**
 * Where EmailSubmission hands a message to be sent: declared here by its consumer and implemented by
 * the server assembly over the same intake as SMTP submission on port 587 (sender ownership, DKIM
 * signing, local delivery, the outbound queue), so JMAP has no second copy of those rules.
 */
public interface MailSubmitter {
    /** Which step refused: MAIL FROM, a RCPT TO, or the message at the end of DATA. */
    enum Stage { SENDER, RECIPIENT, MESSAGE }

    sealed interface Outcome {}

    /**
     * Durably accepted.
     *
     * @param localRecipients the recipients delivered to local mailboxes
     * @param queueId the outbound queue entry of the others, -1 when there is none
     */
    record Sent(List<String> localRecipients, long queueId) implements Outcome {
        public Sent {
            localRecipients = List.copyOf(localRecipients);
        }
    }

    /**
     * Refused with the SMTP reply the same submission would get on port 587.
     *
     * @param recipients for {@link Stage#RECIPIENT}, every recipient refused
     */
    record Refused(Stage stage, int code, String enhancedCode, String text, List<String> recipients) implements Outcome {
        public Refused {
            recipients = List.copyOf(recipients);
        }

        public boolean temporary() {
            return code >= 400 && code < 500;
        }
    }

    /** Whether the account may use {@code address} as a sender (its own address or an alias reaching it). */
    boolean owns(Account account, String address);

    /**
     * Sends {@code message} (CRLF lines, no Bcc field) from {@code mailFrom} ("" for the null
     * reverse-path) to {@code recipients}, as the authenticated {@code account}.
     */
    Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message);

    /**
     * As {@link #submit(Account, String, List, byte[])}, with the envelope's DSN parameters (RFC 3461):
     * {@code options} of MAIL FROM and {@code recipientOptions} of each RCPT TO, in recipient order, as
     * the SMTP path carries them into the queue. A submitter that cannot pass them on ignores them.
     */
    default Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message,
            org.postern.store.Intake.Options options, List<org.postern.store.Intake.RecipientOptions> recipientOptions) {
        return submit(account, mailFrom, recipients, message);
    }

    /** The most recipients one submission may have. */
    default int maxRecipients() {
        return 100;
    }

    /**
     * The longest a message may be held before its release (RFC 8621 §1.3.2 maxDelayedSend, asked for
     * with the RFC 4865 FUTURERELEASE parameters of the envelope). Zero, the default, for a submitter
     * that cannot hold: one that returns more must pass {@link org.postern.store.Intake.Options#holdUntil}
     * on into the queue entry, and the parameters are refused otherwise.
     */
    default java.time.Duration maxDelayedSend() {
        return java.time.Duration.ZERO;
    }

    /** The largest message, in octets. */
    default long maxSize() {
        return 50L << 20;
    }

    /** For a server that cannot send: every submission is refused, temporarily. */
    MailSubmitter UNAVAILABLE = new MailSubmitter() {
        @Override
        public boolean owns(Account account, String address) {
            return account.address().equalsIgnoreCase(address);
        }

        @Override
        public Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message) {
            return new Refused(Stage.MESSAGE, 451, "4.3.0", "Sending is not configured on this server", List.of());
        }
    };
}

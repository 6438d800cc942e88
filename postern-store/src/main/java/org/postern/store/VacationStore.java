// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Duration;
import java.time.Instant;

/**
 * An account's vacation auto-reply (JMAP VacationResponse, RFC 8621 §8) and the senders already
 * answered (RFC 3834 §2: no more than one reply per sender in a period). Delivery reads it when mail
 * arrives; JMAP edits it.
 */
public interface VacationStore {
    /**
     * @param fromDate start of the period, null for "already started"
     * @param toDate end of the period, null for "no end"
     */
    record Vacation(boolean enabled, Instant fromDate, Instant toDate, String subject, String textBody,
            String htmlBody) {
        public static final Vacation DISABLED = new Vacation(false, null, null, null, null, null);

        /** Enabled, and {@code now} inside [fromDate, toDate). */
        public boolean activeAt(Instant now) {
            return enabled && (fromDate == null || !now.isBefore(fromDate)) && (toDate == null || now.isBefore(toDate));
        }
    }

    /** The account's setting; {@link Vacation#DISABLED} when never set. */
    Vacation get(long accountId);

    /** Replaces the setting and forgets who was answered (a new absence answers everyone once more). */
    void put(long accountId, Vacation vacation);

    /** Counts the setting's changes: 0 before the first. */
    long state(long accountId);

    /**
     * Records that {@code sender} (an address key) is answered at {@code now}, unless it already was
     * within {@code period} before it; atomically, so concurrent deliveries answer once.
     *
     * @return true when the caller should send the reply
     */
    boolean claimReply(long accountId, String sender, Instant now, Duration period);
}

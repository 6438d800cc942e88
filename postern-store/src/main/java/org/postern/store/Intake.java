// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One accepted message to place: a copy in each local mailbox target and, when there are remote
 * recipients, one outbound queue entry.
 */
public record Intake(String blobId, long size, Instant receivedAt, List<Target> local, Outbound outbound) {
    public Intake {
        local = List.copyOf(local);
    }

    /** A mailbox to deliver into, with the flags the message starts with. */
    public record Target(long accountId, long mailboxId, Set<String> flags) {}

    /** Envelope of the remote part; null when every recipient is local. */
    public record Outbound(String mailFrom, List<String> recipients) {
        public Outbound {
            recipients = List.copyOf(recipients);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/**
 * What changed in a mailbox after a MODSEQ: messages added or whose flags changed (UID order), and
 * UIDs expunged (ascending). {@code highestModSeq} is the mailbox's value this answer is complete up
 * to; a session that applies it is in sync as of that value.
 */
public record MailboxChanges(long highestModSeq, long uidNext, List<MessageRecord> changed, List<Long> expunged) {
    public boolean isEmpty() {
        return changed.isEmpty() && expunged.isEmpty();
    }
}

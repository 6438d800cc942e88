// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * Something changed for an account. Sessions react by asking the store what changed
 * ({@link MailboxStore#changesSince}); the event itself only says where to look. {@code mailboxId} is
 * 0 for account-wide events.
 */
public record ChangeEvent(long accountId, long mailboxId, long modSeq, Kind kind) {
    public enum Kind {
        /** Messages added, flags changed or messages expunged. */
        MESSAGES,
        /** Mailboxes created, renamed, deleted or (un)subscribed. */
        MAILBOXES,
        /** The account was deleted or its password changed: sessions must end. */
        ACCOUNT
    }
}

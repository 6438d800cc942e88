// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/**
 * Something changed for an account. Sessions react by asking the store what changed
 * ({@link MailboxStore#changesSince}, the /changes of the object's store); the event itself only says
 * where to look. {@code mailboxId} is 0 for account-wide events.
 *
 * <p>{@code modSeq} is the account's MODSEQ of the change for {@link Kind#MESSAGES},
 * {@link Kind#MAILBOXES} and {@link Kind#ACCOUNT}; for the other kinds it is the new state of that
 * kind's store where it has one ({@link IdentityStore#state}, {@link SubmissionStore#state},
 * {@link VacationStore#state}), else 0. Those kinds leave the account's MODSEQ alone: they change no
 * message.
 *
 * @param entry for {@link Kind#METADATA} the entry that changed, null for every other kind
 */
public record ChangeEvent(long accountId, long mailboxId, long modSeq, Kind kind, Entry entry) {
    public enum Kind {
        /** Messages added, flags changed or messages expunged. */
        MESSAGES,
        /** Mailboxes created, renamed, deleted or (un)subscribed. */
        MAILBOXES,
        /** The account was deleted or its password changed: sessions must end. */
        ACCOUNT,
        /** Identities created, updated or destroyed ({@link IdentityStore}). */
        IDENTITIES,
        /**
         * Submission records created, updated or destroyed, and the queue entry behind one moved on
         * (its delivery status changed: retried, delivered, given up) ({@link SubmissionStore}).
         */
        SUBMISSIONS,
        /** The vacation response was set ({@link VacationStore#put}). */
        VACATION,
        /** An account setting changed ({@link Directory#setSetting}). */
        SETTINGS,
        /**
         * One annotation was set or removed (RFC 5464, {@link MetadataStore}); {@link ChangeEvent#entry}
         * says which. The event goes to the account the entry belongs to: the user for /private
         * entries, the mailbox owner for /shared mailbox entries, account 0 (subscribers to all
         * accounts only) for /shared server entries.
         */
        METADATA;

        /** Messages or mailboxes: what IMAP IDLE, POP3 and the search index follow. */
        public boolean aboutMail() {
            return this == MESSAGES || this == MAILBOXES;
        }
    }

    /** A changed annotation: where it lives and its (lower-case) name. */
    public record Entry(MetadataStore.Scope scope, String name) {
        public Entry {
            if (scope == null || name == null) throw new IllegalArgumentException("entry needs a scope and a name");
        }

        /**
         * "owner user name": how backends carry an entry across processes next to the event's
         * mailbox id (the name last, as it may contain spaces).
         */
        public String text() {
            return scope.ownerAccountId() + " " + scope.userId() + " " + name;
        }

        /** The entry {@link #text} wrote, or null for anything else. */
        public static Entry parse(long mailboxId, String text) {
            if (text == null) return null;
            String[] f = text.split(" ", 3);
            if (f.length != 3) return null;
            try {
                return new Entry(new MetadataStore.Scope(Long.parseLong(f[0]), mailboxId, Long.parseLong(f[1])), f[2]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    public ChangeEvent {
        if (kind == null) throw new IllegalArgumentException("no kind");
        if ((kind == Kind.METADATA) != (entry != null)) throw new IllegalArgumentException("an entry goes with METADATA only");
    }

    public ChangeEvent(long accountId, long mailboxId, long modSeq, Kind kind) {
        this(accountId, mailboxId, modSeq, kind, null);
    }

    /** The event announcing a change of {@code name} in {@code scope}, addressed as {@link Kind#METADATA} says. */
    public static ChangeEvent metadata(MetadataStore.Scope scope, String name) {
        long account = scope.userId() != 0 ? scope.userId() : scope.ownerAccountId();
        return new ChangeEvent(account, scope.mailboxId(), 0, Kind.METADATA, new Entry(scope, name));
    }
}

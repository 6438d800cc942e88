// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mailboxes and their messages, always scoped by account (every backend keys its data by account
 * first). Mailbox names are compared exactly, except INBOX which is case-insensitive (RFC 9051 §5.1).
 */
public interface MailboxStore {
    List<Mailbox> list(long accountId);

    Optional<Mailbox> find(long accountId, String name);

    Optional<Mailbox> byId(long accountId, long mailboxId);

    /** Also creates missing parents. @throws StoreException.Conflict when it exists */
    Mailbox create(long accountId, String name, SpecialUse use);

    /**
     * Renames a mailbox and its children. Renaming INBOX moves its messages to a new mailbox and
     * leaves INBOX empty (RFC 9051 §6.3.6).
     */
    void rename(long accountId, String from, String to);

    /** @throws StoreException.Refused for INBOX */
    void delete(long accountId, String name);

    void setSubscribed(long accountId, String name, boolean subscribed);

    /** Adds a message (APPEND). Returns its record; durable on return. */
    MessageRecord append(long accountId, long mailboxId, String blobId, long size, Set<String> flags,
            Instant internalDate);

    MailboxSnapshot snapshot(long accountId, long mailboxId);

    /**
     * The same content as {@link #snapshot} in compact form. Backends keep it cached and bring it up to
     * date from their change log, so selecting a large mailbox again costs the changes, not the size.
     */
    default MailboxIndex index(long accountId, long mailboxId) {
        return MailboxIndex.of(snapshot(accountId, mailboxId));
    }

    /** Changes after {@code modSeq}; expunges are kept in the log so this works after any gap. */
    MailboxChanges changesSince(long accountId, long mailboxId, long modSeq);

    Optional<MessageRecord> message(long accountId, long mailboxId, long uid);

    /**
     * Stored sort keys of the mailbox's messages, by UID; messages without keys (or whose keys have
     * another {@code version}) are missing from the map. Backends that do not store keys return none.
     */
    default java.util.Map<Long, MessageSortKeys> sortKeys(long accountId, long mailboxId, int version) {
        return java.util.Map.of();
    }

    /**
     * The same keys as {@link #sortKeys} as columns with only {@code fields}, rows in ascending UID order:
     * what a SORT of a large mailbox reads (one streaming query, no record per message).
     */
    default SortKeyColumns sortKeyColumns(long accountId, long mailboxId, int version, Set<SortKeyColumns.Field> fields) {
        return SortKeyColumns.of(sortKeys(accountId, mailboxId, version), fields);
    }

    /** Stores sort keys for bodies of the account's messages (replacing older ones); durable on return. */
    default void putSortKeys(long accountId, java.util.Collection<MessageSortKeys> keys) {
    }

    /**
     * Changes flags of the given UIDs (missing ones are skipped). When {@code unchangedSince} is not
     * negative, messages whose MODSEQ is greater are left alone (RFC 7162 §3.1.3). Returns the
     * records of the messages whose flags actually changed.
     */
    List<MessageRecord> storeFlags(long accountId, long mailboxId, List<Long> uids, FlagOp op, Set<String> flags,
            long unchangedSince);

    CopyResult copy(long accountId, long fromMailboxId, List<Long> uids, long toMailboxId);

    /** Copy then expunge from the source in one transaction (RFC 6851). */
    CopyResult move(long accountId, long fromMailboxId, List<Long> uids, long toMailboxId);

    /** Removes the given UIDs (the caller picks them, e.g. those with \Deleted). Returns those removed. */
    List<Long> expunge(long accountId, long mailboxId, List<Long> uids);

    /** Bytes used by all messages of the account (quota accounting). */
    long usedBytes(long accountId);
}

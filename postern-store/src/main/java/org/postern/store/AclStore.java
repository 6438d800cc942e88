// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Access control lists on mailboxes (RFC 4314) and the per-user \Seen state of the mailboxes a user
 * reads through them. Identifiers are account addresses in their lower-case key form, or
 * {@link #ANYONE}; rights are RFC 4314 §2.1 letters, interpreted by the protocol. An entry for an
 * address that is no account is kept (refusing it would tell who has an account) and matches nobody.
 * Entries and seen state go with their mailbox and with the accounts they name.
 */
public interface AclStore {
    String ANYONE = "anyone";

    /** One entry of an ACL, with the mailbox it is on. */
    record Grant(long ownerAccountId, long mailboxId, String identifier, String rights) {}

    /** The ACL of one mailbox: identifier to rights, by identifier. */
    Map<String, String> acl(long ownerAccountId, long mailboxId);

    /** Replaces the rights of {@code identifier}; empty rights remove the entry. */
    void setRights(long ownerAccountId, long mailboxId, String identifier, String rights);

    /** Every entry naming one of {@code identifiers}, on any account's mailbox. */
    List<Grant> grantsFor(Collection<String> identifiers);

    /** UIDs that {@code userId} has seen in another account's mailbox. */
    Set<Long> seenUids(long ownerAccountId, long mailboxId, long userId);

    /** How many existing messages of the mailbox {@code userId} has seen. */
    int seenCount(long ownerAccountId, long mailboxId, long userId);

    /**
     * Marks existing messages seen or unseen for {@code userId} only. Messages whose state changes
     * get a new MODSEQ (their flags stay), so every session learns of it through
     * {@link MailboxStore#changesSince}; returns their UIDs.
     */
    List<Long> setSeen(long ownerAccountId, long mailboxId, long userId, List<Long> uids, boolean seen);
}

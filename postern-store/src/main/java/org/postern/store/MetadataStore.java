// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.Map;
import java.util.SortedMap;

/**
 * Annotations on the server and on mailboxes (IMAP METADATA, RFC 5464 §3). Entries live in scopes;
 * names are stored lower-case (RFC 5464 §3.2: entry names are case-insensitive) and values are
 * octets. Limits on sizes and counts are the protocol's policy: callers check them before writing.
 * Mailbox entries go with the mailbox: kept across RENAME, removed with DELETE and with the owner.
 */
public interface MetadataStore {
    /**
     * Whose entries: {@code ownerAccountId} and {@code mailboxId} 0 for server entries;
     * {@code userId} 0 for /shared entries, the account whose /private entries these are otherwise.
     */
    record Scope(long ownerAccountId, long mailboxId, long userId) {
        public static Scope serverShared() {
            return new Scope(0, 0, 0);
        }

        public static Scope serverPrivate(long userId) {
            return new Scope(0, 0, userId);
        }

        public static Scope mailboxShared(long ownerAccountId, long mailboxId) {
            return new Scope(ownerAccountId, mailboxId, 0);
        }

        public static Scope mailboxPrivate(long ownerAccountId, long mailboxId, long userId) {
            return new Scope(ownerAccountId, mailboxId, userId);
        }
    }

    /** Every entry of the scope, by name. */
    SortedMap<String, byte[]> entries(Scope scope);

    /**
     * Sets (or, for a null value, removes) entries, all or none, in one durable transaction. Each
     * map is ordered as given; names must already be lower-case.
     */
    void apply(Map<Scope, Map<String, byte[]>> changes);
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;
import java.util.Optional;

/**
 * The sender identities of an account (what JMAP calls Identity, RFC 8621 §6): a From name and
 * address with reply-to, bcc and signatures. The caller checks that the address is one the account
 * owns; the store keeps what it is given. Every write gets a change number from one counter per
 * account and kind, so a client can ask what changed since a state.
 */
public interface IdentityStore {
    /**
     * @param replyTo the Reply-To addresses in the caller's own encoding, opaque to the store; null for none
     * @param bcc the Bcc addresses, likewise
     * @param mayDelete false for the account's default identity
     */
    record Identity(long id, long accountId, String name, String email, String replyTo, String bcc,
            String textSignature, String htmlSignature, boolean mayDelete) {
        public Identity withId(long newId) {
            return new Identity(newId, accountId, name, email, replyTo, bcc, textSignature, htmlSignature, mayDelete);
        }
    }

    /**
     * The account's identities in id order. When it has none yet, first creates the default one
     * ({@code defaultEmail}, empty name, mayDelete false) in the same transaction.
     */
    List<Identity> list(long accountId, String defaultEmail);

    Optional<Identity> get(long accountId, long id);

    /** Stores a new identity; its {@code id} is ignored. @return it with its id */
    Identity create(Identity identity);

    /** Replaces an identity's fields (not its id, account or mayDelete). @return false when there is no such identity */
    boolean update(Identity identity);

    /** @return false when there is no such identity */
    boolean delete(long accountId, long id);

    /** The current state: 0 before the first change. */
    long state(long accountId);

    /**
     * Changes after {@code since}, about at most {@code maxObjects} objects (then the result stops at
     * an intermediate state and says hasMore), or empty when that state is unknown.
     */
    Optional<ObjectChanges> changes(long accountId, long since, int maxObjects);
}

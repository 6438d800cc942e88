// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/**
 * What changed in one kind of per-account object (identities, submissions) since a state: the shape
 * of a JMAP /changes answer (RFC 8620 §5.2) without its protocol. An object created and destroyed
 * after {@code since} appears in neither list; one created and then updated is only "created".
 *
 * @param newState the state these changes lead to: the current one unless {@code hasMore}
 * @param hasMore the changes stop short of the current state (the caller's limit was reached)
 */
public record ObjectChanges(long newState, boolean hasMore, List<Long> created, List<Long> updated, List<Long> destroyed) {
    public ObjectChanges {
        created = List.copyOf(created);
        updated = List.copyOf(updated);
        destroyed = List.copyOf(destroyed);
    }
}

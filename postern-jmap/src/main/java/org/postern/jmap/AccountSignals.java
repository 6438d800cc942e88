// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes push streams (RFC 8620 §7) for changes the store's change feed does not carry: JMAP's own
 * /set on Identity, EmailSubmission, VacationResponse and Settings. Listeners must return quickly
 * (they only wake a stream), as {@link org.postern.store.ChangeFeed} listeners do. Changes made
 * elsewhere (the CLI, the queue's delivery reports) are found by the streams' periodic re-check.
 */
public final class AccountSignals {
    private final Map<Long, Set<Runnable>> listeners = new ConcurrentHashMap<>();

    public AutoCloseable subscribe(long accountId, Runnable listener) {
        listeners.computeIfAbsent(accountId, k -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(accountId, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /** Something of the account changed: its streams re-read their states. */
    public void fire(long accountId) {
        Set<Runnable> set = listeners.get(accountId);
        if (set != null) set.forEach(Runnable::run);
    }
}

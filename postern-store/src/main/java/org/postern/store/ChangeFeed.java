// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.function.Consumer;

/**
 * Change notifications. Listeners run on a notifier thread and must return quickly (enqueue, wake a
 * session); they must never write to a socket. Changes made by another process on the same data (the
 * CLI while the server runs) reach listeners within a second.
 *
 * <p>Events are hints: a listener may be told of a change it already knows about, never fewer. A
 * backend that loses its notification channel for a while (the shared backend's LISTEN connection)
 * makes up for the gap once it is back with account-wide events for every subscribed account, and
 * subscribers to all accounts then also get an event for account 0, which means "any account may
 * have changed": re-check everything followed.
 */
public interface ChangeFeed {
    /** Subscribes to changes of one account; 0 means all accounts. Close to unsubscribe. */
    AutoCloseable subscribe(long accountId, Consumer<ChangeEvent> listener);
}

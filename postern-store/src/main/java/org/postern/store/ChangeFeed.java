// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.function.Consumer;

/**
 * Change notifications. Listeners run on a notifier thread and must return quickly (enqueue, wake a
 * session); they must never write to a socket. Changes made by another process on the same data (the
 * CLI while the server runs) reach listeners within a second.
 */
public interface ChangeFeed {
    /** Subscribes to changes of one account; 0 means all accounts. Close to unsubscribe. */
    AutoCloseable subscribe(long accountId, Consumer<ChangeEvent> listener);
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.store.MailStore;

/**
 * RFC 1939 §8: a POP3 session has exclusive access to its maildrop. Shared by every POP3 listener of
 * the process (110 and 995 are separate servers), keyed by store and account.
 *
 * <p>Only this process is covered: several Postern nodes on one shared store would need a lock in the
 * store itself.
 */
final class MaildropLocks {
    private record Key(MailStore store, long accountId) {}

    private static final Set<Key> HELD = ConcurrentHashMap.newKeySet();

    private MaildropLocks() {}

    /** A held lock, or null when another session has the maildrop. */
    static Lock tryAcquire(MailStore store, long accountId) {
        Key k = new Key(store, accountId);
        return HELD.add(k) ? new Lock(k) : null;
    }

    static final class Lock implements AutoCloseable {
        private final Key key;
        private boolean released;

        private Lock(Key key) {
            this.key = key;
        }

        @Override
        public synchronized void close() {
            if (released) return;
            released = true;
            HELD.remove(key);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.util.Set;
import org.postern.store.ChangeEvent;
import org.postern.store.MailStore;

/**
 * Hands annotation changes from the store's change feed to the NOTIFY sessions of this server
 * (RFC 5465 §5.9 MailboxMetadataChange, §5.10 ServerMetadataChange), whoever made them: another
 * session, the JMAP Settings method, the CLI, another node. One subscription to every account serves
 * all sessions, taken at the first NOTIFY SET: server /shared entries belong to no account, so no
 * per-account subscription would hear them. /private entries go only to their user's sessions (RFC
 * 5464 §3.2); whether a session may see a mailbox's entries is its {@link NotifyWatch}'s call.
 */
final class NotifyFeed implements AutoCloseable {
    private final MailStore store;
    private final Set<ImapSession> sessions;
    private AutoCloseable subscription;
    private boolean closed;

    NotifyFeed(MailStore store, Set<ImapSession> sessions) {
        this.store = store;
        this.sessions = sessions;
    }

    /** Subscribes once; called by NOTIFY SET before it takes its baseline, so nothing after it is missed. */
    synchronized void start() {
        if (subscription == null && !closed) subscription = store.changes().subscribe(0, this::onChange);
    }

    /** On the feed's notifier thread: only queues and wakes (ChangeFeed listeners never write to sockets). */
    private void onChange(ChangeEvent e) {
        if (e.kind() != ChangeEvent.Kind.METADATA) return;
        long user = e.entry().scope().userId();
        for (ImapSession s : sessions) {
            NotifyWatch w = s.notify;
            if (w == null || s.account == null) continue;
            if (user != 0 && user != s.account.id()) continue;
            w.metadataChanged(e.entry());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (subscription == null) return;
        try {
            subscription.close();
        } catch (Exception ignored) {
            // the store is going away too
        }
        subscription = null;
    }
}

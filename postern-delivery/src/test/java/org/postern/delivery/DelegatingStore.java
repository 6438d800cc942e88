// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import org.postern.store.BlobStore;
import org.postern.store.ChangeFeed;
import org.postern.store.Directory;
import org.postern.store.Intake;
import org.postern.store.IntakeResult;
import org.postern.store.MailStore;
import org.postern.store.MailboxStore;
import org.postern.store.OutboundQueue;

/** Passes everything through; tests override one method to inject a failure. */
class DelegatingStore implements MailStore {
    private final MailStore d;

    DelegatingStore(MailStore d) {
        this.d = d;
    }

    @Override public Directory directory() { return d.directory(); }
    @Override public MailboxStore mailboxes() { return d.mailboxes(); }
    @Override public BlobStore blobs() { return d.blobs(); }
    @Override public OutboundQueue queue() { return d.queue(); }
    @Override public ChangeFeed changes() { return d.changes(); }
    @Override public IntakeResult deliver(Intake intake) { return d.deliver(intake); }
    @Override public void close() {}
}

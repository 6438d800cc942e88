// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

/** One store: the directory of domains and accounts, mailboxes, message bodies, the queue, changes. */
public interface MailStore extends AutoCloseable {
    Directory directory();

    MailboxStore mailboxes();

    BlobStore blobs();

    OutboundQueue queue();

    ChangeFeed changes();

    /**
     * Commits one accepted message to every local mailbox and to the outbound queue in a single
     * durable transaction: either all recipients have it or none does. The blob must already be
     * durable ({@link BlobStore.BlobWriter#commit()}).
     */
    IntakeResult deliver(Intake intake);

    @Override
    void close();
}

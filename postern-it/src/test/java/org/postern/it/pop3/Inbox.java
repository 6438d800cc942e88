// SPDX-License-Identifier: Apache-2.0
package org.postern.it.pop3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/** Puts messages straight into an account's INBOX (as SMTP delivery stores them: CRLF) and reads it back. */
final class Inbox {
    private final TestServer server;
    private final Account account;

    Inbox(TestServer server, String address) {
        this.server = server;
        this.account = server.store().directory().account(address).orElseThrow();
    }

    /** A small message whose body names it, so a test can tell which one a client got. */
    static String message(String tag) {
        return "From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: " + tag + "\r\nMessage-ID: <" + tag
                + "@example.test>\r\n\r\nbody of " + tag + "\r\n.line starting with a dot\r\n";
    }

    long deliver(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String blob;
        try (BlobStore.BlobWriter w = server.store().blobs().create()) {
            try (OutputStream o = w.stream()) {
                o.write(bytes);
            }
            blob = w.commit();
        }
        return server.store().mailboxes().append(account.id(), inbox().id(), blob, bytes.length, Set.of(),
                Instant.now()).uid();
    }

    Mailbox inbox() {
        return server.store().mailboxes().find(account.id(), Mailbox.INBOX).orElseThrow();
    }

    List<MessageRecord> messages() {
        return server.store().mailboxes().snapshot(account.id(), inbox().id()).messages();
    }

    Account account() {
        return account;
    }
}

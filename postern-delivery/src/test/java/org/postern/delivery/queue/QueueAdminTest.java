// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.SubmissionStore;
import org.postern.store.sqlite.SqliteMailStore;

/** The postmaster's bounce: the entry goes, its sender is told, and a JMAP submission learns it failed. */
class QueueAdminTest {
    @TempDir
    Path dataDir;

    private SqliteMailStore store;
    private Account alice;

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dataDir);
        store.directory().addDomain("ours.test");
        alice = store.directory().createAccount("alice@ours.test", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aBouncedEntrysSubmissionFailsForGood() throws Exception {
        String blobId;
        long size;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write("From: <alice@ours.test>\r\nSubject: test\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            blobId = w.commit();
            size = w.size();
        }
        long id = store.deliver(new Intake(blobId, size, Instant.now(), List.of(),
                new Intake.Outbound("alice@ours.test", List.of("x@far.test")))).queueId();
        SubmissionStore.Submission s = store.submissions().create(new SubmissionStore.Submission(0, alice.id(), 1, "e1", "t1",
                "alice@ours.test", List.of("x@far.test"), List.of(), id, Instant.now(), "pending"));

        assertThat(new QueueAdmin(store, "mx.ours.test", Clock.systemUTC()).bounce(id)).contains(true);

        assertThat(store.queue().get(id)).isEmpty();
        assertThat(store.submissions().deliveries(alice.id(), s.id())).containsExactly(
                new SubmissionStore.Delivery("x@far.test", "no", "550 5.0.0 Returned to the sender by the postmaster"));
        assertThat(store.submissions().get(alice.id(), s.id()).orElseThrow().undoStatus()).isEqualTo("final");
    }
}

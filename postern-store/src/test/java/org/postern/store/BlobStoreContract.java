// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bodies are kept byte-exact and released when their last reference (message or queue entry) goes. */
public abstract class BlobStoreContract extends StoreContract {

    @Test
    void committedBlobReadsBackByteForByte() throws IOException {
        byte[] data = "line one\r\nbare\nlf and \u0000 nul and 8bit \u00e9".getBytes(StandardCharsets.UTF_8);
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write(data, 0, 5);
            out.write(data, 5, data.length - 5);
            assertThat(w.size()).isEqualTo(data.length);
            id = w.commit();
        }
        assertThat(read(id)).isEqualTo(data);
        assertThat(store.blobs().size(id)).isEqualTo(data.length);
        reopen();
        assertThat(read(id)).isEqualTo(data);
    }

    @Test
    void idsAreUniqueEvenForEqualContent() {
        assertThat(blob("same")).isNotEqualTo(blob("same"));
    }

    @Test
    void unknownOrMalformedIdsAreIoErrors() {
        assertThatThrownBy(() -> store.blobs().open("0123456789abcdef0123456789abcdef")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.blobs().open("../../store.db")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.blobs().size("")).isInstanceOf(IOException.class);
    }

    @Test
    void bodyIsDeletedWhenItsLastMessageIsExpunged() {
        long acc = account("alice@example.org").id();
        long inbox = inbox(acc).id();
        MessageRecord m = append(acc, inbox, "shared");
        Mailbox other = store.mailboxes().create(acc, "Other", SpecialUse.NONE);
        CopyResult c = store.mailboxes().copy(acc, inbox, List.of(m.uid()), other.id());
        store.mailboxes().expunge(acc, inbox, List.of(m.uid()));
        assertThat(read(m.blobId())).isNotEmpty(); // the copy still uses it
        store.mailboxes().expunge(acc, other.id(), c.destUids());
        assertThatThrownBy(() -> store.blobs().open(m.blobId())).isInstanceOf(IOException.class);
    }

    @Test
    void bodyIsKeptWhileTheQueueUsesIt() {
        long acc = account("alice@example.org").id();
        String content = message("q");
        IntakeResult r = store.deliver(new Intake(blob(content), content.length(), Instant.now(),
                List.of(new Intake.Target(acc, inbox(acc).id(), Set.of())),
                new Intake.Outbound("a@example.org", List.of("b@remote.net"))));
        String id = r.delivered().get(0).blobId();
        store.mailboxes().expunge(acc, inbox(acc).id(), List.of(r.delivered().get(0).uid()));
        assertThat(read(id)).isEqualTo(content.getBytes(StandardCharsets.UTF_8));
        assertThat(store.queue().delete(r.queueId())).isTrue();
        assertThatThrownBy(() -> store.blobs().open(id)).isInstanceOf(IOException.class);
    }

    @Test
    void deletingAMailboxOrAccountReleasesBodies() {
        long acc = account("alice@example.org").id();
        Mailbox box = store.mailboxes().create(acc, "Box", SpecialUse.NONE);
        MessageRecord a = append(acc, box.id(), "a");
        MessageRecord b = append(acc, inbox(acc).id(), "b");
        store.mailboxes().delete(acc, "Box");
        assertThatThrownBy(() -> store.blobs().open(a.blobId())).isInstanceOf(IOException.class);
        store.directory().deleteAccount("alice@example.org");
        assertThatThrownBy(() -> store.blobs().open(b.blobId())).isInstanceOf(IOException.class);
    }

    @Test
    void deleteRemovesAnUnreferencedBlobAndIsIdempotent() throws IOException {
        String id = blob("refused after DATA");
        String kept = blob("another");
        store.blobs().delete(id);
        assertThatThrownBy(() -> store.blobs().open(id)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.blobs().size(id)).isInstanceOf(IOException.class);
        store.blobs().delete(id);
        store.blobs().delete("0123456789abcdef0123456789abcdef");
        assertThat(read(kept)).isEqualTo("another".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void deleteRefusesABlobAMessageOrTheQueueStillUses() throws IOException {
        long acc = account("alice@example.org").id();
        MessageRecord m = append(acc, inbox(acc).id(), "in use");
        assertThatThrownBy(() -> store.blobs().delete(m.blobId())).isInstanceOf(IOException.class);
        assertThat(read(m.blobId())).isEqualTo(message("in use").getBytes(StandardCharsets.UTF_8));
        assertThat(store.mailboxes().message(acc, inbox(acc).id(), m.uid())).isPresent();

        String content = message("queued");
        IntakeResult r = store.deliver(new Intake(blob(content), content.length(), Instant.now(), List.of(),
                new Intake.Outbound("a@example.org", List.of("b@remote.net"))));
        String queued = store.queue().get(r.queueId()).orElseThrow().blobId();
        assertThatThrownBy(() -> store.blobs().delete(queued)).isInstanceOf(IOException.class);
        assertThat(read(queued)).isEqualTo(content.getBytes(StandardCharsets.UTF_8));

        store.mailboxes().expunge(acc, inbox(acc).id(), List.of(m.uid()));
        store.blobs().delete(m.blobId()); // already gone with its last message: nothing to do
    }

    @Test
    void deleteRejectsMalformedIds() {
        assertThatThrownBy(() -> store.blobs().delete("../../store.db")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.blobs().delete("")).isInstanceOf(IOException.class);
    }
}

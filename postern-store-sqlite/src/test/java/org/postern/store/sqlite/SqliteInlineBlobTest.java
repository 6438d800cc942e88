// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.PasswordRecord;

/** Bodies up to INLINE_MAX are rows of blob_data: written, read, freed and swept without blob files. */
class SqliteInlineBlobTest {
    @TempDir
    Path dir;
    private SqliteMailStore store;

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dir);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    private void reopen() {
        store.close();
        store = SqliteMailStore.open(dir);
    }

    private static byte[] body(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        String head = "From: a@example.org\r\nSubject: s" + size + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 0, Math.min(h.length, size));
        return b;
    }

    /** Writes in uneven chunks, so a body crosses INLINE_MAX in the middle of a write. */
    private String write(byte[] content) throws IOException {
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            int off = 0;
            for (int chunk = 1; off < content.length; chunk = chunk * 3 + 1) {
                int n = Math.min(chunk, content.length - off);
                if (n == 1) {
                    out.write(content[off]);
                } else {
                    out.write(content, off, n);
                }
                off += n;
            }
            assertThat(w.size()).isEqualTo(content.length);
            return w.commit();
        }
    }

    private byte[] read(String id) throws IOException {
        try (InputStream in = store.blobs().open(id)) {
            return in.readAllBytes();
        }
    }

    /** Regular files under blobs/ (committed bodies and temp files alike). */
    private long files() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve(SqliteMailStore.BLOB_DIRECTORY))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private Connection sql() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteMailStore.DATABASE_FILE));
    }

    private long rows(String blobId) throws Exception {
        try (Connection c = sql(); PreparedStatement p = c.prepareStatement("SELECT count(*) FROM blob_data WHERE blob_id = ?")) {
            p.setString(1, blobId);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long allRows() throws Exception {
        try (Connection c = sql(); PreparedStatement p = c.prepareStatement("SELECT count(*) FROM blob_data");
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long account() {
        store.directory().addDomain("example.org");
        return store.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
    }

    private MessageRecord append(long acc, String blobId, int size) {
        long box = store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id();
        return store.mailboxes().append(acc, box, blobId, size, Set.of(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void smallBodyRoundTripsWithoutAFile() throws Exception {
        for (int size : new int[] {0, 1, 4000, SqliteBlobStore.INLINE_MAX}) {
            byte[] content = body(size);
            String id = write(content);
            assertThat(id).matches("[0-9a-f]{32}");
            assertThat(read(id)).isEqualTo(content);
            assertThat(store.blobs().size(id)).isEqualTo(size);
            assertThat(rows(id)).isEqualTo(1);
        }
        assertThat(files()).isZero();
    }

    @Test
    void aBodyOneByteOverTheLimitIsAFileAsBefore() throws Exception {
        byte[] content = body(SqliteBlobStore.INLINE_MAX + 1);
        String id = write(content);
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(rows(id)).isZero();
        Path file = dir.resolve(SqliteMailStore.BLOB_DIRECTORY).resolve(id.substring(0, 2)).resolve(id);
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        assertThat(files()).isEqualTo(1);
        assertThat(read(id)).isEqualTo(content);
        assertThat(store.blobs().size(id)).isEqualTo(content.length);
    }

    @Test
    void anExpungedInlineBodyLeavesNoRowAndNoFile() throws Exception {
        long acc = account();
        byte[] content = body(3000);
        String id = write(content);
        MessageRecord m = append(acc, id, content.length); // the reference check must see the row
        assertThat(m.blobId()).isEqualTo(id);
        assertThat(read(id)).isEqualTo(content);
        store.mailboxes().expunge(acc, store.mailboxes().find(acc, Mailbox.INBOX).orElseThrow().id(), List.of(m.uid()));
        assertThat(rows(id)).isZero();
        assertThat(files()).isZero();
        assertThatThrownBy(() -> store.blobs().open(id)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.blobs().size(id)).isInstanceOf(IOException.class);
    }

    @Test
    void deleteRemovesAnUnreferencedInlineBlobButNotAReferencedOne() throws Exception {
        long acc = account();
        String unused = write(body(500));
        String used = write(body(600));
        append(acc, used, 600);
        store.blobs().delete(unused);
        assertThat(rows(unused)).isZero();
        assertThatThrownBy(() -> store.blobs().open(unused)).isInstanceOf(IOException.class);
        store.blobs().delete(unused); // idempotent
        assertThatThrownBy(() -> store.blobs().delete(used)).isInstanceOf(IOException.class);
        assertThat(read(used)).isEqualTo(body(600));
    }

    @Test
    void anIntakeBodyIsWrittenByTheCommitThatStoresItsMessage() throws Exception {
        long acc = account();
        byte[] content = body(5000);
        long before;
        String id;
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(content);
            before = store.commits();
            id = w.commit();
            // Held, not yet written; readable by the store that is about to reference it.
            assertThat(rows(id)).isZero();
            assertThat(read(id)).isEqualTo(content);
            assertThat(store.blobs().size(id)).isEqualTo(content.length);
            append(acc, id, content.length);
            assertThat(rows(id)).isEqualTo(1);
        }
        assertThat(store.commits() - before).as("one commit for the body and its message").isEqualTo(1);
        assertThat(read(id)).isEqualTo(content);
        reopen();
        assertThat(read(id)).isEqualTo(content);
        assertThat(files()).isZero();
    }

    @Test
    void anIntakeBodyWhoseMessageWasNotStoredIsGoneWithItsWriter() throws Exception {
        long acc = account();
        String id;
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(body(700));
            id = w.commit();
            assertThatThrownBy(() -> store.mailboxes().append(acc, 9999, id, 700, Set.of(), Instant.now()))
                    .isInstanceOf(org.postern.store.StoreException.NotFound.class);
            assertThat(rows(id)).isZero();
        }
        assertThat(allRows()).isZero();
        assertThat(files()).isZero();
        assertThatThrownBy(() -> store.blobs().open(id)).isInstanceOf(IOException.class);
        // A caller deleting it after its failed intake is answered too.
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(body(800));
            String other = w.commit();
            store.blobs().delete(other);
            assertThatThrownBy(() -> store.blobs().open(other)).isInstanceOf(IOException.class);
        }
        assertThat(allRows()).isZero();
    }

    @Test
    void aDeliveryToTwoAccountsAndTheQueueWritesItsBodyOnce() throws Exception {
        long alice = account();
        long bob = store.directory().createAccount("bob@example.org", PasswordRecord.NONE, false).id();
        byte[] content = body(9000);
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(content);
            String id = w.commit();
            List<org.postern.store.Intake.Target> targets = List.of(
                    new org.postern.store.Intake.Target(alice, store.mailboxes().find(alice, Mailbox.INBOX).orElseThrow().id(), Set.of()),
                    new org.postern.store.Intake.Target(bob, store.mailboxes().find(bob, Mailbox.INBOX).orElseThrow().id(), Set.of()));
            store.deliver(new org.postern.store.Intake(id, content.length, Instant.now(), targets,
                    new org.postern.store.Intake.Outbound("a@example.org", List.of("c@example.net"))));
            assertThat(rows(id)).isEqualTo(1);
            try (Connection c = sql(); PreparedStatement p = c.prepareStatement("SELECT refs FROM blob_refs WHERE blob_id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(3);
                }
            }
        }
        reopen();
        assertThat(allRows()).isEqualTo(1);
    }

    @Test
    void aLargeIntakeBodyIsAFileDurableAtCommit() throws Exception {
        byte[] content = body(SqliteBlobStore.INLINE_MAX + 1);
        try (BlobStore.BlobWriter w = store.blobs().createForIntake()) {
            w.stream().write(content);
            String id = w.commit();
            assertThat(files()).isEqualTo(1);
            assertThat(read(id)).isEqualTo(content);
        }
        assertThat(allRows()).isZero();
    }

    @Test
    void anAbandonedWriterWritesNothing() throws Exception {
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            w.stream().write(body(1000));
        }
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            w.stream().write(body(SqliteBlobStore.INLINE_MAX + 100)); // spilled to a temp file, then abandoned
        }
        assertThat(allRows()).isZero();
        assertThat(files()).isZero();
    }

    @Test
    void aFinishedWriterTakesNoMoreBytes() throws Exception {
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            w.stream().write(body(10));
            w.commit();
            assertThatThrownBy(() -> w.stream().write(1)).isInstanceOf(IOException.class);
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(allRows()).isEqualTo(1);
    }

    @Test
    void theSweepAtOpenRemovesOnlyOldUnreferencedRows() throws Exception {
        long acc = account();
        String orphan = write(body(700));
        String referenced = write(body(800));
        String young = write(body(900));
        append(acc, referenced, 800);
        store.close();
        store = null;
        long old = Instant.now().minus(Duration.ofDays(2)).toEpochMilli();
        try (Connection c = sql(); PreparedStatement p = c.prepareStatement("UPDATE blob_data SET written = ? WHERE blob_id IN (?, ?)")) {
            p.setLong(1, old);
            p.setString(2, orphan);
            p.setString(3, referenced);
            assertThat(p.executeUpdate()).isEqualTo(2);
        }
        store = SqliteMailStore.open(dir);
        assertThat(rows(orphan)).isZero();
        assertThat(rows(referenced)).isEqualTo(1);
        assertThat(rows(young)).isEqualTo(1);
        assertThat(read(referenced)).isEqualTo(body(800));
        assertThat(read(young)).isEqualTo(body(900));
    }

    @Test
    void theSweepReadsIdsFromTheIndexNotTheBodies() throws Exception {
        // The sweep runs at every open, also of each CLI command: it must not read every stored body.
        try (Connection c = sql(); PreparedStatement p = c.prepareStatement("EXPLAIN QUERY PLAN " + SqliteBlobStore.SWEEP_INLINE)) {
            p.setLong(1, 0);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) plan.append(rs.getString(4)).append('\n');
            }
            assertThat(plan.toString()).contains("SCAN d USING COVERING INDEX").doesNotContain("SCAN blob_data\n");
        }
    }

    @Test
    void aReopenedStoreStillReadsInlineBodies() throws Exception {
        long acc = account();
        byte[] a = body(1234);
        byte[] b = body(5678);
        String ida = write(a);
        String idb = write(b);
        append(acc, ida, a.length);
        reopen();
        assertThat(read(ida)).isEqualTo(a);
        assertThat(read(idb)).isEqualTo(b);
        assertThat(store.blobs().size(idb)).isEqualTo(b.length);
        assertThat(files()).isZero();
    }

    @Test
    void bodyIdsAreThirtyTwoHexDigitsInTheOrderTheyWereMadeAcrossMilliseconds() throws Exception {
        Random random = new Random(7);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            String earlier = SqliteBlobStore.newId(random);
            long t = System.currentTimeMillis();
            while (System.currentTimeMillis() < t + 2) Thread.onSpinWait();
            String later = SqliteBlobStore.newId(random);
            assertThat(later).matches("[0-9a-f]{32}");
            // Neighbours in the blob-id B-trees: a later body sorts after an earlier one.
            assertThat(later).isGreaterThan(earlier);
        }
        // Within one millisecond the 80 random bits keep them apart.
        for (int i = 0; i < 100_000; i++) assertThat(seen.add(SqliteBlobStore.newId(random))).isTrue();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.BlobStore;
import org.postern.store.MailStore;
import org.postern.store.MessageSortKeys;
import org.postern.store.PasswordRecord;

/** Bodies larger than a chunk stream in and out piecewise; abandoned ones leave nothing behind. */
class PostgresBlobStreamingTest {
    private PostgresConfig db;
    private MailStore store;

    @BeforeEach
    void open() {
        db = TestPostgres.fresh();
        store = PostgresMailStore.open(db);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long rows(String table) {
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void multiChunkBodyRoundTripsByteForByte() throws Exception {
        int size = 3 * PostgresBlobStore.CHUNK + 12_345;
        MessageDigest in = MessageDigest.getInstance("SHA-256");
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            byte[] piece = new byte[7_919]; // odd size: writes straddle chunk boundaries
            long written = 0;
            while (written < size) {
                int n = (int) Math.min(piece.length, size - written);
                for (int i = 0; i < n; i++) piece[i] = (byte) ((written + i) * 131 + 17);
                out.write(piece, 0, n);
                in.update(piece, 0, n);
                written += n;
            }
            out.write(0x42);
            in.update((byte) 0x42);
            id = w.commit();
        }
        assertThat(store.blobs().size(id)).isEqualTo(size + 1);
        assertThat(rows("blob_chunks")).isEqualTo(4);
        MessageDigest back = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream s = store.blobs().open(id)) {
            byte[] buf = new byte[10_000];
            for (int n; (n = s.read(buf)) > 0; ) {
                back.update(buf, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(size + 1);
        assertThat(back.digest()).isEqualTo(in.digest());
    }

    @Test
    void abandonedAndEmptyBodies() throws Exception {
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            byte[] big = new byte[PostgresBlobStore.CHUNK + 1];
            w.stream().write(big);
            // closed without commit
        }
        assertThat(rows("blobs")).isZero();
        assertThat(rows("blob_chunks")).isZero();
        String empty;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            empty = w.commit();
        }
        assertThat(store.blobs().size(empty)).isZero();
        try (InputStream s = store.blobs().open(empty)) {
            assertThat(s.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> store.blobs().open("'; DROP TABLE blobs; --")).isInstanceOf(IOException.class);
    }

    @Test
    void sortKeysAreStoredAndGoWithTheBody() throws Exception {
        store.directory().addDomain("example.org");
        long acc = store.directory().createAccount("a@example.org", PasswordRecord.NONE, false).id();
        long inbox = store.mailboxes().find(acc, "INBOX").orElseThrow().id();
        String id;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            w.stream().write("Subject: s\r\n\r\nb\r\n".getBytes());
            id = w.commit();
        }
        long uid = store.mailboxes().append(acc, inbox, id, 17, java.util.Set.of(), java.time.Instant.now()).uid();
        store.mailboxes().putSortKeys(acc, List.of(new MessageSortKeys(id, 1, 5, "S", "f", "t", "", "F", "T")));
        assertThat(store.mailboxes().sortKeys(acc, inbox, 1)).containsOnlyKeys(uid);
        assertThat(store.mailboxes().sortKeys(acc, inbox, 1).get(uid).displayTo()).isEqualTo("T");
        store.mailboxes().expunge(acc, inbox, List.of(uid));
        assertThat(rows("sort_keys")).isZero();
        assertThat(rows("blobs")).isZero();
        assertThat(Arrays.asList(rows("blob_chunks"))).containsExactly(0L);
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.BlobStore;

/** What the object store itself must do beyond the contract: big bodies, abandoned writers, listing. */
class S3ObjectsTest {
    private S3BlobStore s3;

    @BeforeEach
    void open() throws IOException {
        s3 = S3BlobStore.open(S3TestServer.newBucket());
    }

    @AfterEach
    void close() {
        s3.close();
    }

    @Test
    void aBodyBiggerThanOnePartIsUploadedInPartsAndReadsBackExactly() throws Exception {
        long total = S3BlobStore.PART * 2L + 12_345;
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        String id;
        try (BlobStore.BlobWriter w = s3.create()) {
            OutputStream out = w.stream();
            byte[] chunk = new byte[65_537];
            for (long left = total; left > 0; ) {
                int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                random.nextBytes(chunk);
                out.write(chunk, 0, n);
                written.update(chunk, 0, n);
                left -= n;
            }
            id = w.commit();
        }
        assertThat(s3.size(id)).isEqualTo(total);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = s3.open(id)) {
            byte[] b = new byte[100_000];
            for (int n; (n = in.read(b)) > 0; ) read.update(b, 0, n);
        }
        assertThat(read.digest()).isEqualTo(written.digest());
    }

    @Test
    void anAbandonedWriterLeavesNoObject() throws IOException {
        try (BlobStore.BlobWriter small = s3.create(); BlobStore.BlobWriter big = s3.create()) {
            small.stream().write("never committed".getBytes());
            big.stream().write(new byte[S3BlobStore.PART + 1]); // a multipart upload is under way
        }
        assertThat(ids(Instant.now().plus(Duration.ofMinutes(5)))).isEmpty();
    }

    @Test
    void listNamesCommittedObjectsOlderThanTheCutoff() throws IOException {
        String id;
        try (BlobStore.BlobWriter w = s3.create()) {
            w.stream().write("x".getBytes());
            id = w.commit();
        }
        assertThat(ids(Instant.now().plus(Duration.ofMinutes(5)))).containsExactly(id);
        assertThat(ids(Instant.now().minus(Duration.ofHours(1)))).isEmpty();
        s3.delete(id);
        s3.delete(id);
        assertThat(ids(Instant.now().plus(Duration.ofMinutes(5)))).isEmpty();
        assertThatThrownBy(() -> s3.size(id)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void wrongCredentialsFailAtOpen() {
        S3Config good = S3TestServer.newBucket();
        S3Config bad = new S3Config(good.endpoint(), good.region(), good.bucket(), good.prefix(), good.accessKey(),
                "wrong-secret", true);
        assertThatThrownBy(() -> S3BlobStore.open(bad)).isInstanceOf(IOException.class);
        assertThat(bad.toString()).doesNotContain("wrong-secret");
    }

    private List<String> ids(Instant cutoff) throws IOException {
        List<String> all = new ArrayList<>();
        s3.list(cutoff, all::addAll);
        return all;
    }
}

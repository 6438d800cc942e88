// SPDX-License-Identifier: Apache-2.0
package org.postern.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStoreContract;
import org.postern.store.MailStore;
import org.postern.store.MessageRecord;
import org.postern.store.sqlite.SqliteMailStore;

/** The blob contract with metadata in the embedded store and the bytes in a real S3-compatible server. */
class S3BlobStoreTest extends BlobStoreContract {
    private final Map<Path, S3Config> buckets = new HashMap<>();

    @Override
    protected MailStore open(Path dataDir) {
        S3Config config = buckets.computeIfAbsent(dataDir, d -> S3TestServer.newBucket());
        try {
            return SqliteMailStore.open(dataDir, S3BlobStore.open(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void bodiesWrittenBeforeTheSwitchToS3StayReadable(@TempDir Path folder) throws IOException {
        MessageRecord old;
        long acc;
        long inbox;
        try (MailStore files = SqliteMailStore.open(folder)) {
            var a = files.directory();
            a.addDomain("example.org");
            acc = a.createAccount("old@example.org", org.postern.store.PasswordRecord.NONE, false).id();
            inbox = files.mailboxes().find(acc, "INBOX").orElseThrow().id();
            String content = message("from the files");
            old = files.mailboxes().append(acc, inbox, blob(files, content.getBytes(StandardCharsets.UTF_8)),
                    content.length(), java.util.Set.of(), Instant.now());
        }
        S3Config config = S3TestServer.newBucket();
        try (MailStore s3 = SqliteMailStore.open(folder, S3BlobStore.open(config))) {
            assertThat(new String(s3.blobs().open(old.blobId()).readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(message("from the files"));
            String content = message("to S3");
            MessageRecord fresh = s3.mailboxes().append(acc, inbox, blob(s3, content.getBytes(StandardCharsets.UTF_8)),
                    content.length(), java.util.Set.of(), Instant.now());
            try (S3BlobStore raw = S3BlobStore.open(config)) {
                List<String> ids = new ArrayList<>();
                raw.list(Instant.now().plus(Duration.ofMinutes(5)), ids::addAll);
                assertThat(ids).containsExactly(fresh.blobId());
            }
            s3.mailboxes().expunge(acc, inbox, List.of(old.uid()));
            try (var left = Files.walk(folder.resolve(SqliteMailStore.BLOB_DIRECTORY))) {
                assertThat(left.filter(p -> p.getFileName().toString().equals(old.blobId()))).isEmpty();
            }
        }
    }
}

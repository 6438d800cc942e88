// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.BlobStore;

class FileBlobStoreTest {
    @TempDir
    Path dir;

    private long files() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void abandonedWriterLeavesNoFile() throws Exception {
        FileBlobStore blobs = new FileBlobStore(dir);
        try (BlobStore.BlobWriter w = blobs.create()) {
            w.stream().write(new byte[1000]);
        }
        assertThat(files()).isZero();
    }

    @Test
    void committedBlobLivesUnderItsPrefixDirectory() throws Exception {
        FileBlobStore blobs = new FileBlobStore(dir);
        String id;
        try (BlobStore.BlobWriter w = blobs.create()) {
            w.stream().write("abc".getBytes());
            id = w.commit();
        }
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(Files.readString(dir.resolve(id.substring(0, 2)).resolve(id))).isEqualTo("abc");
        assertThat(files()).isEqualTo(1);
    }
}

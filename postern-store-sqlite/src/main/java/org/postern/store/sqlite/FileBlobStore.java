// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.postern.store.BlobStore;

/**
 * Message bodies as files {@code blobs/xx/<id>}, ids random (not content addressed, so deleting one
 * message's body can never affect another's): those larger than {@link SqliteBlobStore#INLINE_MAX}
 * (smaller ones are rows of the database) and all written before schema 15. A new blob is written under {@code blobs/tmp/}, fsynced,
 * renamed atomically into place and its directory fsynced: after {@code commit()} it survives a crash.
 */
final class FileBlobStore implements BlobStore {
    private static final System.Logger LOG = System.getLogger(FileBlobStore.class.getName());
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    /** Temp files older than this are leftovers of a crash; younger ones may belong to another process. */
    private static final Duration STALE_TEMP = Duration.ofDays(1);

    private final Path root;
    private final Path tmp;
    private final SecureRandom random = new SecureRandom();

    FileBlobStore(Path root) throws IOException {
        this.root = root;
        this.tmp = root.resolve("tmp");
        Files.createDirectories(tmp);
        removeStaleTemps();
    }

    @Override
    public BlobWriter create() throws IOException {
        byte[] b = new byte[16];
        random.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        Path temp = tmp.resolve(id + ".tmp");
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileBlobWriter(id, temp, ch);
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        return Files.newInputStream(path(blobId));
    }

    @Override
    public long size(String blobId) throws IOException {
        return Files.size(path(blobId));
    }

    boolean exists(String blobId) {
        return blobId != null && ID.matcher(blobId).matches() && Files.isRegularFile(file(blobId));
    }

    /** Deletes the file; references are the caller's business ({@link SqliteBlobStore}). */
    @Override
    public void delete(String blobId) throws IOException {
        Files.deleteIfExists(path(blobId));
    }

    private Path path(String blobId) throws NoSuchFileException {
        if (blobId == null || !ID.matcher(blobId).matches()) throw new NoSuchFileException("blob " + blobId);
        return file(blobId);
    }

    private Path file(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id);
    }

    private void removeStaleTemps() throws IOException {
        Instant limit = Instant.now().minus(STALE_TEMP);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "*.tmp")) {
            for (Path p : ds) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(limit)) Files.deleteIfExists(p);
            }
        }
    }

    /** fsync of a directory makes a rename or a new entry in it durable (POSIX). */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows cannot open directories; its NTFS journal makes the rename durable instead.
            if (!System.getProperty("os.name", "").startsWith("Windows")) throw e;
        }
    }

    private final class FileBlobWriter implements BlobWriter {
        private final String id;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream out;
        private long size;
        private boolean committed;
        private boolean closed;

        FileBlobWriter(String id, Path temp, FileChannel channel) {
            this.id = id;
            this.temp = temp;
            this.channel = channel;
            OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                    size++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    size += len;
                }

                @Override
                public void flush() throws IOException {
                    raw.flush();
                }

                @Override
                public void close() throws IOException {
                    raw.flush();
                }
            };
        }

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public String commit() throws IOException {
            if (committed || closed) throw new IllegalStateException("blob writer already finished");
            out.flush();
            channel.force(true);
            channel.close();
            Path dir = root.resolve(id.substring(0, 2));
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                syncDirectory(root);
            }
            Files.move(temp, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            committed = true;
            return id;
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            if (!committed) {
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }
}

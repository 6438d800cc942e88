// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One message's content held while it is checked or signed, before it goes into its blob: in memory
 * up to {@link #MEMORY_LIMIT}, then in a temporary file, so a large message never sits in the heap.
 * Write once through {@link #stream()}, then read as often as needed. {@link #close()} deletes the file.
 */
final class MessageSpool implements AutoCloseable {
    static final int MEMORY_LIMIT = 1 << 20;
    /** The header section is looked for in this many leading octets (the SMTP server's capture bound). */
    static final int HEADER_LIMIT = 64 * 1024;

    private final ByteArrayOutputStream memory = new ByteArrayOutputStream(16 * 1024);
    private Path file;
    private OutputStream fileOut;
    private long size;
    private byte[] head;

    private final OutputStream stream = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (fileOut == null && memory.size() + len > MEMORY_LIMIT) {
                file = Files.createTempFile("postern-spool", ".eml");
                fileOut = Files.newOutputStream(file);
                memory.writeTo(fileOut);
            }
            if (fileOut != null) {
                fileOut.write(b, off, len);
            } else {
                memory.write(b, off, len);
            }
            size += len;
        }

        @Override
        public void close() throws IOException {
            if (fileOut != null) fileOut.close();
        }
    };

    OutputStream stream() {
        return stream;
    }

    long size() {
        return size;
    }

    /** The content from {@code offset} on; the spool must be completely written. */
    InputStream open(long offset) throws IOException {
        stream.close();
        InputStream in = file == null ? new java.io.ByteArrayInputStream(memory.toByteArray()) : Files.newInputStream(file);
        in.skipNBytes(Math.min(offset, size));
        return in;
    }

    /** The first octets, up to {@link #HEADER_LIMIT} + 4, where the header section is looked for. */
    byte[] head() throws IOException {
        if (head == null) {
            try (InputStream in = open(0)) {
                head = in.readNBytes(HEADER_LIMIT + 4);
            }
        }
        return head;
    }

    /**
     * Length of the header fields including the CRLF that ends the last one; the empty line follows.
     * -1 when no empty line appears in the first {@link #HEADER_LIMIT} octets and there is more.
     */
    int headerLength() throws IOException {
        byte[] h = head();
        if (h.length >= 2 && h[0] == '\r' && h[1] == '\n') return 0;
        for (int i = 0; i + 3 < h.length; i++) {
            if (h[i] == '\r' && h[i + 1] == '\n' && h[i + 2] == '\r' && h[i + 3] == '\n') return i + 2;
        }
        return size <= HEADER_LIMIT ? (int) size : -1; // a message of header fields only
    }

    byte[] headerBlock() throws IOException {
        int n = headerLength();
        return Arrays.copyOf(head(), Math.max(0, n < 0 ? Math.min(head().length, HEADER_LIMIT) : n));
    }

    /** Where the body starts: after the empty line, or the end for a header-only message. */
    long bodyOffset() throws IOException {
        int n = headerLength();
        if (n < 0) return size;
        return Math.min(size, n + 2L);
    }

    @Override
    public void close() {
        try {
            stream.close();
            if (file != null) Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless; the OS cleans its temp folder
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffered output stream whose buffer exists only while a reply is being written: it starts small,
 * doubles up to {@link #MAX} as a reply grows, and is dropped by {@link #flush()}. Most connections
 * spend their life waiting for the next command (IMAP IDLE above all), and a fixed 16 KiB buffer per
 * connection was a third of what each idle connection kept on the heap.
 */
final class ElasticOutputStream extends OutputStream {
    static final int MIN = 512;
    /** Enough for one TLS record's worth of plaintext (RFC 8446 §5.1: 2^14 octets). */
    static final int MAX = 16 * 1024;

    private OutputStream sink;
    private byte[] buf;
    private int count;

    ElasticOutputStream(OutputStream sink) {
        this.sink = sink;
    }

    /** From now on bytes go to {@code next}; whatever is still buffered is discarded (flush first). */
    void switchTo(OutputStream next) {
        sink = next;
        buf = null;
        count = 0;
    }

    @Override
    public void write(int b) throws IOException {
        if (buf == null || count == buf.length) room(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        if (len >= MAX) {
            // Large writes go straight through: copying them buys nothing.
            drain();
            sink.write(b, off, len);
            return;
        }
        if (buf == null || buf.length - count < len) room(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    /** Makes room for {@code len} (< MAX) more bytes: grows the buffer or, at its maximum, drains it. */
    private void room(int len) throws IOException {
        if (buf == null) {
            buf = new byte[Math.max(MIN, Integer.highestOneBit(len - 1) << 1)];
            return;
        }
        if (count + len <= MAX) {
            int size = buf.length;
            while (size < count + len) size <<= 1;
            buf = java.util.Arrays.copyOf(buf, Math.min(MAX, size));
            return;
        }
        drain();
        if (buf.length < len) buf = new byte[MAX];
    }

    private void drain() throws IOException {
        if (count > 0) {
            sink.write(buf, 0, count);
            count = 0;
        }
    }

    /** Writes out what is buffered and lets the buffer go: the connection probably waits for input now. */
    @Override
    public void flush() throws IOException {
        drain();
        buf = null;
        sink.flush();
    }

    /** Bytes written but not yet passed on. */
    int buffered() {
        return count;
    }

    /** The buffer currently held (tests). */
    int capacity() {
        return buf == null ? 0 : buf.length;
    }

    @Override
    public void close() throws IOException {
        flush();
        sink.close();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import org.postern.imap.parse.Command;
import org.postern.net.LineReader;

/**
 * COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951) both ways, below the IMAP parser and above
 * TLS (RFC 4978 §3: compress first, then encrypt).
 *
 * <p>Decompression bombs (HOSTILE A66): the inflater is pulled, never pushed. It produces at most
 * {@link #MAX_CHUNK} octets per read, and at most the session's current input budget (one command
 * with its literals, raised only by the APPEND octets the session agreed to read) before the
 * session is ended, so a small compressed input can never make the server inflate without bound.
 */
final class CompressHandler {
    /** Octets inflated per read call: the line reader's buffer size. */
    static final int MAX_CHUNK = 8192;

    /**
     * RFC 4978 §3: NO [COMPRESSIONACTIVE] when already compressing; BAD for another mechanism. The
     * command table admits it only once authenticated, which without TLS happens only under the
     * operator's plaintext opt-in; and STARTTLS cannot follow it, so TLS always sits below DEFLATE.
     * Writes the tagged OK itself: compression starts right after its CRLF.
     */
    String compress(ImapSession s, String tag, Command.Compress c) throws IOException, ImapException {
        if (!c.mechanism().equalsIgnoreCase("DEFLATE")) throw ImapException.bad("Unknown compression mechanism");
        if (s.compressing()) throw ImapException.no("COMPRESSIONACTIVE", "DEFLATE active already");
        s.out().raw(tag + " OK DEFLATE active").crlf();
        s.out().flush();
        s.startCompression();
        return null;
    }

    /** Raw deflate at the cheapest level: responses compress well anyway (RFC 4978 §4). */
    static DeflaterOutputStream deflating(java.io.OutputStream socketOut, Deflater deflater) {
        // syncFlush: every flush ends a response batch the client can decode at once (RFC 4978 §4, IDLE).
        return new DeflaterOutputStream(socketOut, deflater, MAX_CHUNK, true);
    }

    static Deflater deflater() {
        return new Deflater(Deflater.BEST_SPEED, true);
    }

    /** More inflated input than one command may have: the session ends (HOSTILE A66). */
    static final class TooMuchInput extends IOException {
        TooMuchInput() {
            super("decompressed input exceeds the command size limit");
        }
    }

    /** The compressed octets as the connection's reader delivers them, in pieces of whatever is buffered. */
    static final class RawInput extends InputStream {
        private final LineReader reader;

        RawInput(LineReader reader) {
            this.reader = reader;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            int n = 0;
            if (reader.buffered() == 0) {
                try {
                    reader.readFully(b, off, 1);
                } catch (EOFException e) {
                    return -1;
                }
                n = 1;
            }
            int more = Math.min(len - n, reader.buffered());
            reader.readFully(b, off + n, more);
            return n + more;
        }
    }

    /** Inflates on demand within a budget the session sets per command. */
    static final class Inflating extends InputStream {
        private final InputStream source;
        private final Inflater inflater = new Inflater(true);
        private final byte[] input = new byte[MAX_CHUNK];
        private long budget;
        private long used;

        Inflating(InputStream source) {
            this.source = source;
        }

        /** From now on at most {@code octets} more may be inflated (a new command starts). */
        void budget(long octets) {
            budget = octets;
            used = 0;
        }

        /** The session agreed to read {@code octets} more (an APPEND literal). */
        void allow(long octets) {
            budget += octets;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            long left = budget - used;
            if (left <= 0) throw new TooMuchInput();
            len = (int) Math.min(Math.min(len, MAX_CHUNK), left);
            while (true) {
                int n;
                try {
                    n = inflater.inflate(b, off, len);
                } catch (DataFormatException e) {
                    throw new IOException("invalid DEFLATE data", e);
                }
                if (n > 0) {
                    used += n;
                    return n;
                }
                if (inflater.finished() || inflater.needsDictionary()) return -1;
                if (inflater.needsInput()) {
                    int r = source.read(input, 0, input.length);
                    if (r < 0) return -1;
                    inflater.setInput(input, 0, r);
                }
            }
        }

        @Override
        public void close() {
            inflater.end();
        }
    }
}

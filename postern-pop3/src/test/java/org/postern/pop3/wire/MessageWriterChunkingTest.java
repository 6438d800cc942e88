// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * MessageWriter copies the inside of lines in bulk: whatever the read sizes and wherever a line, a
 * CR or a stuffed dot falls against a buffer boundary, the output must equal a line-by-line
 * reference of RFC 1939 §3 (CRLF line ends, dot-stuffing, a final line end).
 */
class MessageWriterChunkingTest {
    /** The transfer form, one line at a time: the obviously right, slow way. */
    static String reference(String stored, long bodyLines) {
        StringBuilder out = new StringBuilder();
        boolean header = true;
        long body = 0;
        int i = 0;
        while (i < stored.length()) {
            int lf = stored.indexOf('\n', i);
            String line = lf < 0 ? stored.substring(i) : stored.substring(i, lf);
            i = lf < 0 ? stored.length() : lf + 1;
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (!header && bodyLines >= 0 && body >= bodyLines) break;
            out.append(line.startsWith(".") ? "." + line : line).append("\r\n");
            if (header) {
                if (line.isEmpty()) header = false;
            } else {
                body++;
            }
        }
        return out.toString();
    }

    /** Hands out the message in reads of random small sizes. */
    static InputStream trickle(byte[] b, SplittableRandom rnd) {
        return new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, 1 + rnd.nextInt(7)));
            }
        };
    }

    @Test
    void bulkCopyMatchesTheLineByLineReference() throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        String[] pieces = {"a", "Subject: x", ".", "..", "\r\n", "\n", "\r", "body text ", "x".repeat(20_000), ".dot", ""};
        for (int round = 0; round < 500; round++) {
            StringBuilder b = new StringBuilder("From: a@b\r\n");
            if (rnd.nextBoolean()) b.append("\r\n");
            int n = rnd.nextInt(30);
            for (int k = 0; k < n; k++) b.append(pieces[rnd.nextInt(pieces.length)]);
            String stored = b.toString();
            // A lone CR inside a line is kept as it is by both; only CR before LF is a line end.
            long lines = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : MessageWriter.ALL_LINES;
            byte[] bytes = stored.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = rnd.nextBoolean() ? trickle(bytes, rnd) : new ByteArrayInputStream(bytes);
            MessageWriter.write(in, out, lines);
            String expected = reference(stored, lines);
            assertThat(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as("round %d, stored %s", round, stored.length() > 200 ? stored.length() + " chars" : stored.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(expected);
            if (lines == MessageWriter.ALL_LINES) {
                long unstuffed = expected.replace("\r\n..", "\r\n.").length() - (expected.startsWith("..") ? 1 : 0);
                assertThat(MessageWriter.size(new ByteArrayInputStream(bytes))).isEqualTo(unstuffed);
            }
        }
    }
}

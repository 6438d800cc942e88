// SPDX-License-Identifier: Apache-2.0
package org.postern.store.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The header section of a stored body: up to the empty line that ends it, however the bytes arrive. */
class ThreadLinksTest {
    /** Hands out at most {@code chunk} bytes per read, as a socket or a file block boundary may. */
    private static InputStream chunked(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] section(String message, int chunk) throws Exception {
        return ThreadLinks.headerSection(chunked(message.getBytes(StandardCharsets.ISO_8859_1), chunk));
    }

    @Test
    void endsAtTheFirstEmptyLineWithCrLfOrBareLf() throws Exception {
        for (int chunk : new int[] {1, 2, 3, 7, 8192}) {
            assertThat(new String(section("Subject: a\r\nFrom: b\r\n\r\nbody\r\n\r\nmore", chunk), StandardCharsets.ISO_8859_1))
                    .isEqualTo("Subject: a\r\nFrom: b\r\n\r\n");
            assertThat(new String(section("Subject: a\nFrom: b\n\nbody\n", chunk), StandardCharsets.ISO_8859_1))
                    .isEqualTo("Subject: a\nFrom: b\n\n");
            // No empty line: the whole of it.
            assertThat(new String(section("Subject: a\r\nFrom: b", chunk), StandardCharsets.ISO_8859_1))
                    .isEqualTo("Subject: a\r\nFrom: b");
        }
    }

    @Test
    void isBoundedWhateverFollows() throws Exception {
        byte[] endless = new byte[ThreadLinks.MAX_HEADER * 2];
        java.util.Arrays.fill(endless, (byte) 'x');
        assertThat(ThreadLinks.headerSection(chunked(endless, 5000))).hasSize(ThreadLinks.MAX_HEADER);
    }

    /** The end found by reading one byte at a time, as the definition says. */
    private static byte[] byteByByte(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev2 = -1;
        int prev = -1;
        for (byte x : data) {
            if (b.size() >= ThreadLinks.MAX_HEADER) break;
            b.write(x);
            if (x == '\n' && (prev == '\n' || (prev == '\r' && prev2 == '\n'))) break;
            prev2 = prev;
            prev = x;
        }
        return b.toByteArray();
    }

    @Test
    void agreesWithAByteByByteReadingOnRandomLineEndings() throws Exception {
        Random random = new Random(11);
        byte[] alphabet = {'a', ':', ' ', '\r', '\n'};
        for (int round = 0; round < 2_000; round++) {
            byte[] data = new byte[random.nextInt(200)];
            for (int i = 0; i < data.length; i++) data[i] = alphabet[random.nextInt(alphabet.length)];
            int chunk = 1 + random.nextInt(20);
            assertThat(ThreadLinks.headerSection(chunked(data, chunk))).as("round %d", round).isEqualTo(byteByByte(data));
        }
    }
}

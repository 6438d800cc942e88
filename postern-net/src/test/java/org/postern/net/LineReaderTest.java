// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineReaderTest {

    private static LineReader reader(String s, int buffer) {
        return new LineReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)), buffer);
    }

    private static List<String> lines(String input, int buffer, int max) throws IOException {
        LineReader r = reader(input, buffer);
        List<String> out = new ArrayList<>();
        byte[] l;
        while ((l = r.readLine(max)) != null) {
            out.add(new String(l, StandardCharsets.ISO_8859_1) + "|" + r.problem());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "crlf; a<CR><LF>b<CR><LF>; a|NONE,b|NONE",
        "bare lf ends the line but is flagged; a<LF>b<CR><LF>; a|BARE_LF,b|NONE",
        "bare cr stays inside and is flagged; a<CR>b<CR><LF>; a<CR>b|BARE_CR",
        "cr cr lf; a<CR><CR><LF>; a<CR>|BARE_CR",
        "partial last line is dropped; a<CR><LF>b; a|NONE",
        "empty line; <CR><LF>; |NONE",
    })
    void splitsOnlyOnCrlf(String name, String input, String expected) throws IOException {
        input = unescape(input);
        expected = unescape(expected);
        for (int buffer : new int[] {1, 2, 3, 8192}) {
            assertThat(String.join(",", lines(input, buffer, 100))).as("buffer %d", buffer).isEqualTo(expected);
        }
    }

    private static String unescape(String s) {
        return s == null ? "" : s.replace("<CR>", "\r").replace("<LF>", "\n");
    }

    @Test
    void longLineIsConsumedToItsEndButNotKept() throws IOException {
        String huge = "MAIL FROM:<" + "a".repeat(100_000) + ">\r\nNOOP\r\n";
        LineReader r = reader(huge, 512);
        byte[] first = r.readLine(4096);
        assertThat(first).hasSize(4096);
        assertThat(r.problem()).isEqualTo(LineReader.Problem.TOO_LONG);
        assertThat(new String(r.readLine(4096), StandardCharsets.US_ASCII)).isEqualTo("NOOP");
        assertThat(r.problem()).isEqualTo(LineReader.Problem.NONE);
    }

    @Test
    void switchToDiscardsBufferedBytes() throws IOException {
        // CVE-2011-0411: what was pipelined after STARTTLS must not survive the switch.
        LineReader r = reader("STARTTLS\r\nRSET\r\n", 8192);
        assertThat(new String(r.readLine(100), StandardCharsets.US_ASCII)).isEqualTo("STARTTLS");
        assertThat(r.buffered()).isEqualTo(6);
        r.switchTo(new ByteArrayInputStream("EHLO x\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(r.buffered()).isZero();
        assertThat(new String(r.readLine(100), StandardCharsets.US_ASCII)).isEqualTo("EHLO x");
    }

    @Test
    void readsExactByteCountsAcrossBufferBoundaries() throws IOException {
        LineReader r = reader("{5}\r\nhello world\r\n", 3);
        assertThat(new String(r.readLine(100), StandardCharsets.US_ASCII)).isEqualTo("{5}");
        byte[] lit = new byte[5];
        r.readFully(lit, 0, 5);
        assertThat(new String(lit, StandardCharsets.US_ASCII)).isEqualTo("hello");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.transfer(out, 6);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(" world");
        assertThat(r.readLine(100)).isEmpty();
    }

    /** Hands out the given chunks one read at a time; available() is what is left of the current one. */
    private static final class Chunks extends java.io.InputStream {
        private final java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
        private byte[] cur = new byte[0];
        private int pos;

        Chunks(List<String> parts) {
            for (String p : parts) chunks.add(p.getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == cur.length) {
                if (chunks.isEmpty()) return -1;
                cur = chunks.poll();
                pos = 0;
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return cur.length - pos;
        }
    }

    @Test
    void aReaderWaitingForTheNextCommandHoldsOnlyItsSmallBuffers() throws IOException {
        String literal = "x".repeat(20_000);
        LineReader r = new LineReader(new Chunks(List.of("a NOOP\r\n", "b APPEND {20000}\r\n" + literal + "\r\n", "c NOOP\r\n")));
        assertThat(new String(r.readLine(1000), StandardCharsets.US_ASCII)).isEqualTo("a NOOP");
        assertThat(r.capacity()).isEqualTo(2 * LineReader.SMALL);
        assertThat(new String(r.readLine(1000), StandardCharsets.US_ASCII)).isEqualTo("b APPEND {20000}");
        byte[] data = new byte[20_000];
        r.readFully(data, 0, data.length);
        assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo(literal);
        // The burst was read in the large buffer...
        assertThat(r.capacity()).isGreaterThan(2 * LineReader.SMALL);
        assertThat(r.readLine(1000)).isEmpty();
        // ...and the read that waited for "c NOOP" let it go.
        assertThat(new String(r.readLine(1000), StandardCharsets.US_ASCII)).isEqualTo("c NOOP");
        assertThat(r.capacity()).isEqualTo(2 * LineReader.SMALL);
    }

    @ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void linesSurviveEveryChunkingAndBufferSwitch(long seed) throws IOException {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        List<String> expected = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            String line = "L" + i + " " + "y".repeat(rnd.nextInt(0, rnd.nextBoolean() ? 40 : 3000));
            expected.add(line);
            all.append(line).append("\r\n");
        }
        List<String> parts = new ArrayList<>();
        for (int p = 0; p < all.length(); ) {
            int n = Math.min(all.length() - p, 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 20_000));
            parts.add(all.substring(p, p + n));
            p += n;
        }
        LineReader r = new LineReader(new Chunks(parts));
        List<String> got = new ArrayList<>();
        byte[] l;
        while ((l = r.readLine(10_000)) != null) {
            assertThat(r.problem()).isEqualTo(LineReader.Problem.NONE);
            got.add(new String(l, StandardCharsets.ISO_8859_1));
        }
        assertThat(got).isEqualTo(expected);
    }
}

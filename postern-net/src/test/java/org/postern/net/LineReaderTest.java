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
}

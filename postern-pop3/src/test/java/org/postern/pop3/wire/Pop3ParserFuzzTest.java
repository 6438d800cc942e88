// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the POP3 wire code (Jazzer). In {@code mvn verify} they run in regression mode:
 * each seed in {@code src/test/resources/org/postern/pop3/wire/Pop3ParserFuzzTestInputs/<method>/}
 * once, in well under a second. To fuzz for real (findings are written to that folder, so they become
 * regression seeds):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl postern-pop3 test -Dtest=Pop3ParserFuzzTest#parse -Djazzer.max_duration=10m
 * </pre>
 *
 * (one method at a time: Jazzer fuzzes only the first {@code @FuzzTest} it meets in a run). Jazzer
 * keeps its working corpus in {@code postern-pop3/.cifuzz-corpus/}; delete it afterwards. 60 s of
 * {@code transfer} ran 216,000 inputs without a finding.
 */
class Pop3ParserFuzzTest {
    /**
     * Any line: the parser returns a command, never throws, and an Invalid reply is short printable
     * ASCII that never echoes the client's bytes (ALPACA, HOSTILE A41).
     */
    @FuzzTest(maxDuration = "10s")
    void parse(byte[] line) {
        Pop3Command cmd = Pop3Parser.parse(line);
        assertThat(cmd).isNotNull();
        if (line.length > Pop3Parser.MAX_LINE) assertThat(cmd).isInstanceOf(Pop3Command.Invalid.class);
        if (cmd instanceof Pop3Command.Invalid i) {
            assertThat(i.reply()).hasSizeLessThan(80).matches("[ -~]+");
            String text = new String(line, StandardCharsets.ISO_8859_1);
            if (text.length() >= 12) assertThat(i.reply()).doesNotContain(text);
        }
        switch (cmd) {
            case Pop3Command.Retr r -> assertThat(r.msg()).isPositive();
            case Pop3Command.Dele d -> assertThat(d.msg()).isPositive();
            case Pop3Command.Top t -> {
                assertThat(t.msg()).isPositive();
                assertThat(t.lines()).isNotNegative();
            }
            default -> { }
        }
        Pop3Parser.parseSaslResponse(line);
    }

    /**
     * Any stored message: what RETR sends has CRLF line ends only, no line that would end the reply
     * early, and exactly as many octets (unstuffed) as LIST reports, with and without UTF8.
     */
    @FuzzTest(maxDuration = "10s")
    void transfer(byte[] message) throws IOException {
        for (boolean downgrade : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long sent = MessageWriter.write(new ByteArrayInputStream(message), out, MessageWriter.ALL_LINES, downgrade);
            assertThat(MessageWriter.size(new ByteArrayInputStream(message), downgrade)).isEqualTo(sent);
            if (!downgrade) assertThat(MessageWriter.scan(new ByteArrayInputStream(message)).octets()).isEqualTo(sent);
            byte[] wire = out.toByteArray();
            assertWellFormed(wire);
            long stuffing = 0;
            for (int i = 0; i < wire.length; i++) if (wire[i] == '.' && (i == 0 || wire[i - 1] == '\n')) stuffing++;
            assertThat((long) wire.length).isEqualTo(sent + stuffing);
            if (downgrade) {
                int end = headerEnd(wire);
                for (int i = 0; i < end; i++) assertThat(wire[i]).as("header octet %d", i).isNotNegative();
            }
            ByteArrayOutputStream top = new ByteArrayOutputStream();
            MessageWriter.write(new ByteArrayInputStream(message), top, message.length % 4, downgrade);
            assertWellFormed(top.toByteArray());
        }
    }

    private static void assertWellFormed(byte[] wire) {
        if (wire.length > 0) assertThat(new String(wire, wire.length - 2, 2, StandardCharsets.ISO_8859_1)).isEqualTo("\r\n");
        for (int i = 0; i < wire.length; i++) {
            if (wire[i] == '\n') assertThat(i > 0 && wire[i - 1] == '\r').as("bare LF at %d", i).isTrue();
            // A line "." would end the multi-line reply early: every dot at a line start is doubled.
            if (wire[i] == '.' && (i == 0 || wire[i - 1] == '\n')) {
                assertThat(i + 1 < wire.length && wire[i + 1] == '.').as("unstuffed dot at %d", i).isTrue();
                i++;
            }
        }
    }

    private static int headerEnd(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && (i == 0 || (i >= 2 && b[i - 2] == '\r' && b[i - 1] == '\n'))) {
                return i;
            }
        }
        return b.length;
    }
}

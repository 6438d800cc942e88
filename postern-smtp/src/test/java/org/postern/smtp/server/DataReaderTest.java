// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.net.LineReader;

/**
 * The DATA scanner against every way the network can cut the stream: each case is fed in two reads
 * split at every offset, and one octet per read. Each case is followed by a pipelined command that
 * must still be in the LineReader afterwards (a reader that reads past the marker would eat it).
 */
class DataReaderTest {
    private static final String NEXT = "RSET";
    private static final long MAX = 10_000;

    record Case(String name, String wire, String content, DataReader.Problem problem) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        String longLine = "x".repeat(DataReader.MAX_TEXT_LINE + 1);
        String longest = "x".repeat(DataReader.MAX_TEXT_LINE);
        return List.of(
                new Case("empty", ".\r\n", "", DataReader.Problem.NONE),
                new Case("plain", "Subject: a\r\n\r\nbody\r\n.\r\n", "Subject: a\r\n\r\nbody\r\n",
                        DataReader.Problem.NONE),
                new Case("dot-stuffed", "a\r\n..\r\n..b\r\n.\r\n", "a\r\n.\r\n.b\r\n", DataReader.Problem.NONE),
                new Case("dot not alone", "a\r\n.x\r\n. \r\n.\r\n", "a\r\nx\r\n \r\n", DataReader.Problem.NONE),
                new Case("998 octets", longest + "\r\n.\r\n", longest + "\r\n", DataReader.Problem.NONE),
                new Case("CR CR LF", "a\r\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                // Smuggling (HOSTILE A06/A08): none of these markers ends the data; the real one does.
                new Case("LF . CRLF", "a\n.\r\nMAIL FROM:<x@y>\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("CRLF . LF", "a\r\n.\nRCPT TO:<x@y>\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("LF . LF", "a\n.\nb\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("CR . CR", "a\r.\rb\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("CR . CRLF", "a\r.\r\nb\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("CRLF . CR LF split by CR", "a\r\n.\r\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("bare LF first", "\n.\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("CR at the end of a line", "a\r\n\r\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("long line then marker", longLine + "\r\n.\r\n", "", DataReader.Problem.LINE_TOO_LONG),
                new Case("long line LF . CRLF", longLine + "\n.\r\nb\r\n.\r\n", "", DataReader.Problem.BARE_CR_LF),
                new Case("too big", "y".repeat(500) + "\r\n" + ("z".repeat(998) + "\r\n").repeat(10) + ".\r\n", "",
                        DataReader.Problem.TOO_BIG),
                new Case("loop", "Received: x\r\n".repeat(DataReader.MAX_RECEIVED + 1) + "\r\nb\r\n.\r\n", "",
                        DataReader.Problem.LOOP));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void splitAtEveryOffset(Case c) throws Exception {
        byte[] wire = (c.wire() + NEXT + "\r\n").getBytes(US_ASCII);
        for (int split = 0; split <= wire.length; split++) {
            check(c, new SplitStream(wire, split, Integer.MAX_VALUE), "split at " + split);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void oneOctetPerRead(Case c) throws Exception {
        byte[] wire = (c.wire() + NEXT + "\r\n").getBytes(US_ASCII);
        check(c, new SplitStream(wire, 0, 1), "one octet per read");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void drainWithoutIntake(Case c) throws Exception {
        byte[] wire = (c.wire() + NEXT + "\r\n").getBytes(US_ASCII);
        LineReader in = new LineReader(new SplitStream(wire, wire.length / 2, 7));
        DataReader reader = new DataReader(in, MAX, deadline());
        reader.drain();
        assertThat(reader.finished()).isTrue();
        assertThat(new String(in.readLine(100), US_ASCII)).isEqualTo(NEXT);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void connectionLostBeforeMarker(Case c) {
        byte[] wire = c.wire().substring(0, c.wire().length() - 1).getBytes(US_ASCII);
        DataReader reader = new DataReader(new LineReader(new SplitStream(wire, 3, 5)), MAX, deadline());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            reader.writeTo(out);
        } catch (IOException | IntakeException expected) {
            // either way the data did not end
        }
        assertThat(reader.finished()).isFalse();
        assertThat(reader.clientFailed()).isTrue();
    }

    private static void check(Case c, InputStream stream, String how) throws Exception {
        LineReader in = new LineReader(stream);
        DataReader reader = new DataReader(in, MAX, deadline());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataReader.Problem problem = DataReader.Problem.NONE;
        try {
            long n = reader.writeTo(out);
            assertThat(n).as(how).isEqualTo(c.content().length());
        } catch (IntakeException e) {
            problem = reader.problem();
            assertThat(e.reply()).as(how).isEqualTo(DataReader.reply(problem));
        }
        assertThat(problem).as(how).isEqualTo(c.problem());
        assertThat(reader.finished()).as(how).isTrue();
        if (problem == DataReader.Problem.NONE) {
            assertThat(out.toString(US_ASCII)).as(how).isEqualTo(c.content());
        }
        reader.drain();
        byte[] next = in.readLine(100);
        assertThat(next).as(how + ": the pipelined command stays unread").isNotNull();
        assertThat(new String(next, US_ASCII)).as(how).isEqualTo(NEXT);
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    }

    @org.junit.jupiter.api.Test
    void advanceFindsTheMarkerOnlyAfterCrLf() {
        List<Integer> states = new ArrayList<>();
        int m = 0;
        for (byte b : "x\r\n.\r\n".getBytes(US_ASCII)) states.add(m = DataReader.advance(m, b));
        assertThat(states).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(DataReader.advance(4, (byte) '\r')).isEqualTo(1);
        assertThat(DataReader.advance(2, (byte) '\r')).isEqualTo(1);
        assertThat(DataReader.advance(3, (byte) '.')).isZero();
    }

    @org.junit.jupiter.api.Test
    void headerBlockIsCaptured() throws Exception {
        byte[] wire = "Received: a\r\nSubject: s\r\n\r\nbody\r\n.\r\n".getBytes(US_ASCII);
        DataReader reader = new DataReader(new LineReader(new SplitStream(wire, 9, 3)), MAX, deadline());
        reader.writeTo(new ByteArrayOutputStream());
        assertThat(new String(reader.headerBlock(), US_ASCII)).isEqualTo("Received: a\r\nSubject: s\r\n");
    }

    /** Returns the first {@code split} octets in one read, then at most {@code step} per read. */
    private static final class SplitStream extends InputStream {
        private final byte[] data;
        private final int split;
        private final int step;
        private int pos;

        SplitStream(byte[] data, int split, int step) {
            this.data = data;
            this.split = split;
            this.step = step;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) return -1;
            int n = pos < split ? split - pos : step;
            n = Math.min(Math.min(n, len), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}

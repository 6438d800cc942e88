// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageWriterTest {
    /** (stored message, RETR body before stuffing, RETR body on the wire). */
    static Stream<Arguments> retr() {
        return Stream.of(
                Arguments.of("", "", ""),
                Arguments.of("A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n"),
                Arguments.of("A: b\n\nbody\n", "A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n"),
                Arguments.of("A: b\r\n\r\nno end", "A: b\r\n\r\nno end\r\n", "A: b\r\n\r\nno end\r\n"),
                Arguments.of("A: b\r\n\r\nends in cr\r", "A: b\r\n\r\nends in cr\r\n", "A: b\r\n\r\nends in cr\r\n"),
                Arguments.of("A: b\r\n\r\n.\r\n..x\r\n.hidden\r\nmid.dle\r\n",
                        "A: b\r\n\r\n.\r\n..x\r\n.hidden\r\nmid.dle\r\n",
                        "A: b\r\n\r\n..\r\n...x\r\n..hidden\r\nmid.dle\r\n"),
                Arguments.of(".starts with dot\n", ".starts with dot\r\n", "..starts with dot\r\n"),
                Arguments.of("bare\rcr\r\n", "bare\rcr\r\n", "bare\rcr\r\n"),
                Arguments.of("\r\n.\r\n", "\r\n.\r\n", "\r\n..\r\n"));
    }

    @ParameterizedTest
    @MethodSource
    void retr(String stored, String unstuffed, String wire) throws IOException {
        byte[] in = stored.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long count = MessageWriter.write(new ByteArrayInputStream(in), out, MessageWriter.ALL_LINES);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(wire);
        assertThat(count).isEqualTo(unstuffed.length());
        assertThat(MessageWriter.size(new ByteArrayInputStream(in))).isEqualTo(unstuffed.length());
    }

    static Stream<Arguments> top() {
        String msg = "From: a\r\nSubject: s\r\n\r\nline1\r\n.line2\r\nline3\r\n";
        return Stream.of(
                Arguments.of(msg, 0L, "From: a\r\nSubject: s\r\n\r\n"),
                Arguments.of(msg, 1L, "From: a\r\nSubject: s\r\n\r\nline1\r\n"),
                Arguments.of(msg, 2L, "From: a\r\nSubject: s\r\n\r\nline1\r\n..line2\r\n"),
                Arguments.of(msg, 99L, "From: a\r\nSubject: s\r\n\r\nline1\r\n..line2\r\nline3\r\n"),
                Arguments.of("From: a\nX: y\n\nbody\n", 0L, "From: a\r\nX: y\r\n\r\n"),
                Arguments.of("From: a\r\nno body", 0L, "From: a\r\nno body\r\n"),
                Arguments.of("From: a\r\n\r\n\r\n\r\nx\r\n", 2L, "From: a\r\n\r\n\r\n\r\n"));
    }

    @ParameterizedTest
    @MethodSource
    void top(String stored, long lines, String wire) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageWriter.write(new ByteArrayInputStream(stored.getBytes(StandardCharsets.ISO_8859_1)), out, lines);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(wire);
    }

    @org.junit.jupiter.api.Test
    void largeMessageCountsMatchAcrossChunks() throws IOException {
        StringBuilder sb = new StringBuilder("Subject: big\n\n");
        for (int i = 0; i < 20_000; i++) sb.append(i % 3 == 0 ? ".dot " : "line ").append(i).append('\n');
        byte[] in = sb.toString().getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long count = MessageWriter.write(new ByteArrayInputStream(in), out, MessageWriter.ALL_LINES);
        long lines = sb.chars().filter(c -> c == '\n').count();
        assertThat(count).isEqualTo(in.length + lines);
        assertThat(MessageWriter.size(new ByteArrayInputStream(in))).isEqualTo(count);
        assertThat((long) out.size()).isEqualTo(count + 6667);
    }
}

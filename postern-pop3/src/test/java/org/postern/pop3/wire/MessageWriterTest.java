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
        assertThat(MessageWriter.scan(new ByteArrayInputStream(in))).isEqualTo(new MessageWriter.Shape(unstuffed.length(), false));
        // An ASCII header: the downgraded form is the same message.
        assertThat(MessageWriter.size(new ByteArrayInputStream(in), true)).isEqualTo(unstuffed.length());
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
        assertThat(MessageWriter.scan(new ByteArrayInputStream(in)).octets()).isEqualTo(count);
        assertThat((long) out.size()).isEqualTo(count + 6667);
    }

    /** (stored, sent without UTF8): the size LIST reports is what RETR sends, downgraded or not. */
    static Stream<Arguments> downgrade() {
        return Stream.of(
                Arguments.of("Subject: ü\n\nbody ü\n", "Subject: =?UTF-8?B?w7w=?=\r\n\r\nbody ü\r\n"),
                Arguments.of("To: a@b, Zoë <z@b>\r\n\r\n", "To: =?UTF-8?B?YUBiLCBab8OrIDx6QGI+?= :;\r\n\r\n"),
                Arguments.of("X: ä\r\n folded\r\nY: ascii\r\n\r\n.dot\r\n",
                        "X: =?UTF-8?B?w6QgZm9sZGVk?=\r\nY: ascii\r\n\r\n..dot\r\n"),
                Arguments.of("Subject: ü", "Subject: =?UTF-8?B?w7w=?=\r\n"),
                Arguments.of("ü without colon\r\n\r\n", "X-Invalid-Header: =?UTF-8?B?w7wgd2l0aG91dCBjb2xvbg==?=\r\n\r\n"));
    }

    @ParameterizedTest
    @MethodSource
    void downgrade(String stored, String sent) throws IOException {
        byte[] in = stored.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long count = MessageWriter.write(new ByteArrayInputStream(in), out, MessageWriter.ALL_LINES, true);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(sent);
        String unstuffed = sent.replace("\r\n..", "\r\n.");
        assertThat(count).isEqualTo(unstuffed.getBytes(StandardCharsets.UTF_8).length);
        assertThat(MessageWriter.size(new ByteArrayInputStream(in), true)).isEqualTo(count);
        assertThat(MessageWriter.scan(new ByteArrayInputStream(in)).eightBitHeader()).isTrue();
        // A UTF8 client gets the header as stored.
        assertThat(MessageWriter.scan(new ByteArrayInputStream(in)).octets())
                .isEqualTo(MessageWriter.size(new ByteArrayInputStream(in), false));
    }

    @org.junit.jupiter.api.Test
    void longUtf8FieldsBecomeSeveralWholeCharacterWords() throws IOException {
        String subject = "ü".repeat(100);
        byte[] in = ("Subject: " + subject + "\r\n\r\nx\r\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageWriter.write(new ByteArrayInputStream(in), out, MessageWriter.ALL_LINES, true);
        String header = out.toString(StandardCharsets.US_ASCII).split("\r\n\r\n")[0];
        StringBuilder decoded = new StringBuilder();
        for (String line : header.split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(78);
            String word = line.substring(line.indexOf("=?UTF-8?B?") + 10, line.lastIndexOf("?="));
            // RFC 2047 §5: each word decodes on its own to whole characters.
            decoded.append(new String(java.util.Base64.getDecoder().decode(word), StandardCharsets.UTF_8));
        }
        assertThat(decoded.toString()).isEqualTo(subject);
    }

    @org.junit.jupiter.api.Test
    void oversizedUtf8HeaderIsSanitizedNotBuffered() throws IOException {
        String big = "X: " + "é".repeat(MessageWriter.MAX_DOWNGRADE_HEADER) + "\r\n\r\nbody\r\n";
        byte[] in = big.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long count = MessageWriter.write(new ByteArrayInputStream(in), out, MessageWriter.ALL_LINES, true);
        assertThat(out.toString(StandardCharsets.ISO_8859_1).chars().allMatch(ch -> ch < 128)).isTrue();
        assertThat(count).isEqualTo(in.length).isEqualTo(MessageWriter.size(new ByteArrayInputStream(in), true));
    }
}

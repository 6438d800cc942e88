// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageParserTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String slice(MimeMessage m, int from, int to) {
        return new String(m.raw(), from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static String header(MimeMessage m, MimePart p) {
        return slice(m, p.headerStart(), p.headerEnd());
    }

    private static String body(MimeMessage m, MimePart p) {
        return slice(m, p.bodyStart(), p.bodyEnd());
    }

    @Test
    void simpleMessageHeadersAndBody() {
        String msg = "From: a@example.org\r\nSubject: hello\r\n world\r\n\r\nline1\r\nline2\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        MimePart r = m.root();
        assertThat(header(m, r)).isEqualTo("From: a@example.org\r\nSubject: hello\r\n world\r\n\r\n");
        assertThat(body(m, r)).isEqualTo("line1\r\nline2\r\n");
        assertThat(r.bodyLines()).isEqualTo(2);
        assertThat(r.contentType()).isEqualTo(ContentType.DEFAULT);
        assertThat(r.contentTransferEncoding()).isEqualTo("7bit");
        assertThat(m.headers().first("subject")).isEqualTo("hello world");
        Header subject = m.headers().all().get(1);
        assertThat(subject.rawValue()).isEqualTo(" hello\r\n world");
        assertThat(slice(m, subject.start(), subject.end())).isEqualTo("Subject: hello\r\n world\r\n");
    }

    @Test
    void headersOnlyMessage() {
        MimeMessage m = MessageParser.parse(bytes("Subject: x\r\nFrom: y"));
        assertThat(m.root().headerEnd()).isEqualTo(m.raw().length);
        assertThat(m.root().bodyStart()).isEqualTo(m.raw().length);
        assertThat(m.root().bodySize()).isZero();
        assertThat(m.headers().first("From")).isEqualTo("y");
    }

    @Test
    void emptyAndGarbageInput() {
        for (String s : List.of("", "\r\n", "\n", "no colon here", ":\r\n\r\n", "--x--\r\n", "\r\n\r\n\r\n")) {
            MimeMessage m = MessageParser.parse(bytes(s));
            assertThat(m.root().bodyEnd()).isEqualTo(s.length());
            assertThat(m.root().headerStart()).isZero();
        }
    }

    private static final String MULTI = "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n"
            + "preamble\r\n"
            + "--b1\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "\r\n"
            + "first body\r\n"
            + "--b1  \t\r\n"
            + "Content-Type: multipart/alternative; boundary=b2\r\n"
            + "\r\n"
            + "--b2\r\n"
            + "\r\n"
            + "plain\r\n"
            + "\r\n"
            + "--b2\r\n"
            + "Content-Type: text/html\r\n"
            + "\r\n"
            + "<p>html</p>\r\n"
            + "--b2--\r\n"
            + "inner epilogue\r\n"
            + "--b1--\r\n"
            + "epilogue\r\n";

    @Test
    void multipartOffsetsAreExact() {
        MimeMessage m = MessageParser.parse(bytes(MULTI));
        MimePart r = m.root();
        assertThat(r.isMultipart()).isTrue();
        assertThat(r.children()).hasSize(2);
        MimePart p1 = r.children().get(0);
        assertThat(header(m, p1)).isEqualTo("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        assertThat(body(m, p1)).isEqualTo("first body");
        assertThat(p1.bodyLines()).isEqualTo(1);
        assertThat(p1.contentType().charset()).isEqualTo("utf-8");
        MimePart p2 = r.children().get(1);
        assertThat(p2.contentType().mimeType()).isEqualTo("multipart/alternative");
        assertThat(header(m, p2)).isEqualTo("Content-Type: multipart/alternative; boundary=b2\r\n\r\n");
        assertThat(body(m, p2)).isEqualTo("--b2\r\n\r\nplain\r\n\r\n--b2\r\nContent-Type: text/html\r\n\r\n"
                + "<p>html</p>\r\n--b2--\r\ninner epilogue");
        MimePart p21 = p2.children().get(0);
        assertThat(header(m, p21)).isEqualTo("\r\n");
        assertThat(body(m, p21)).isEqualTo("plain\r\n");
        assertThat(p21.bodyLines()).isEqualTo(1);
        assertThat(p21.contentType()).isEqualTo(ContentType.DEFAULT);
        MimePart p22 = p2.children().get(1);
        assertThat(body(m, p22)).isEqualTo("<p>html</p>");
        assertThat(body(m, r)).startsWith("preamble\r\n--b1\r\n").endsWith("--b1--\r\nepilogue\r\n");
        assertThat(m.part(2, 2)).isSameAs(p22);
        assertThat(m.part(3)).isNull();
    }

    @Test
    void bareLfLinesKeepOffsets() {
        String msg = MULTI.replace("\r\n", "\n");
        MimeMessage m = MessageParser.parse(bytes(msg));
        MimePart p1 = m.root().children().get(0);
        assertThat(header(m, p1)).isEqualTo("Content-Type: text/plain; charset=utf-8\n\n");
        assertThat(body(m, p1)).isEqualTo("first body");
        assertThat(body(m, m.root().children().get(1).children().get(0))).isEqualTo("plain\n");
    }

    @Test
    void missingFinalBoundaryAndNoBlankLineInPart() {
        String msg = "Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
                + "--zz\r\nContent-Type: text/plain\r\n--zz\r\n\r\nsecond\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        List<MimePart> kids = m.root().children();
        assertThat(kids).hasSize(2);
        assertThat(header(m, kids.get(0))).isEqualTo("Content-Type: text/plain\r\n");
        assertThat(kids.get(0).bodySize()).isZero();
        assertThat(kids.get(0).headers().first("content-type")).isEqualTo("text/plain");
        assertThat(body(m, kids.get(1))).isEqualTo("second\r\n");
        assertThat(kids.get(1).bodyLines()).isEqualTo(1);
    }

    @Test
    void boundaryPrefixIsNotABoundary() {
        String msg = "Content-Type: multipart/mixed; boundary=ab\r\n\r\n"
                + "--ab\r\n\r\n--abc\r\n--ab-x\r\n--ab--\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        assertThat(m.root().children()).hasSize(1);
        assertThat(body(m, m.root().children().get(0))).isEqualTo("--abc\r\n--ab-x");
    }

    @Test
    void multipartWithoutBoundaryIsText() {
        for (String ct : List.of("multipart/mixed", "multipart/mixed; boundary=\"\"",
                "multipart/mixed; boundary=" + "x".repeat(100), "multipart/mixed; boundary=nothere")) {
            MimeMessage m = MessageParser.parse(bytes("Content-Type: " + ct + "\r\n\r\n--x\r\nbody\r\n"));
            assertThat(m.root().isMultipart()).as(ct).isFalse();
            assertThat(m.root().contentType()).as(ct).isEqualTo(ContentType.DEFAULT);
            assertThat(m.root().declaredContentType().mimeType()).isEqualTo("multipart/mixed");
        }
    }

    @Test
    void nestedMessageRfc822() {
        String msg = "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
                + "--o\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
                + "--i\r\n\r\nA\r\n--i\r\n\r\nB\r\n--i--\r\n"
                + "--o--\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        MimePart part = m.root().children().get(0);
        assertThat(part.isMessage()).isTrue();
        MimePart inner = part.encapsulated();
        assertThat(inner.headers().first("Subject")).isEqualTo("inner");
        assertThat(header(m, inner)).isEqualTo("Subject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n");
        assertThat(inner.headerStart()).isEqualTo(part.bodyStart());
        assertThat(inner.bodyEnd()).isEqualTo(part.bodyEnd());
        assertThat(body(m, part)).endsWith("--i--");
        assertThat(part.bodyLines()).isEqualTo(10);
        assertThat(inner.children()).extracting(p -> body(m, p)).containsExactly("A", "B");
        assertThat(m.part(1, 2)).isSameAs(inner.children().get(1));
    }

    @Test
    void digestChildrenDefaultToMessage() {
        String msg = "Content-Type: multipart/digest; boundary=d\r\n\r\n"
                + "--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n";
        MimePart child = MessageParser.parse(bytes(msg)).root().children().get(0);
        assertThat(child.contentType()).isEqualTo(ContentType.MESSAGE_RFC822);
        assertThat(child.encapsulated().headers().first("subject")).isEqualTo("one");
    }

    @Test
    void encodedMessageIsOpaque() {
        String msg = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA==\r\n";
        MimePart r = MessageParser.parse(bytes(msg)).root();
        assertThat(r.isMessage()).isFalse();
        assertThat(r.contentType()).isEqualTo(ContentType.OCTET_STREAM);
        assertThat(r.contentTransferEncoding()).isEqualTo("base64");
    }

    @Test
    void depthBombCompletesQuickly() {
        StringBuilder sb = new StringBuilder();
        int n = 1000;
        for (int i = 0; i < n; i++) sb.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b").append(i).append("\r\n");
        sb.append("\r\nleaf\r\n");
        for (int i = n - 1; i >= 0; i--) sb.append("--b").append(i).append("--\r\n");
        long t0 = System.nanoTime();
        MimeMessage m = MessageParser.parse(bytes(sb.toString()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        MimePart p = m.root();
        int depth = 0;
        while (p.isMultipart()) {
            assertThat(p.children()).hasSize(1);
            p = p.children().get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(MimeLimits.DEFAULT.maxDepth());
        assertThat(p.truncated()).isTrue();
        assertThat(p.contentType()).isEqualTo(ContentType.OCTET_STREAM);
    }

    @Test
    void nestedMessageBombCompletesQuickly() {
        String msg = "Content-Type: message/rfc822\r\n\r\n".repeat(100_000) + "body\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        MimePart p = m.root();
        int depth = 0;
        while (p.isMessage()) {
            p = p.encapsulated();
            depth++;
        }
        assertThat(depth).isEqualTo(100);
        assertThat(p.bodyEnd()).isEqualTo(msg.length());
    }

    @Test
    void partBombIsCapped() {
        StringBuilder sb = new StringBuilder("Content-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (int i = 0; i < 200_000; i++) sb.append("--p\r\n");
        sb.append("--p--\r\n");
        long t0 = System.nanoTime();
        MimeMessage m = MessageParser.parse(bytes(sb.toString()), new MimeLimits(100, 10_000, 1 << 20, 10_000));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(m.root().children()).hasSize(9_999);
        assertThat(m.root().truncated()).isTrue();
        assertThat(m.root().bodyEnd()).isEqualTo(sb.length());
    }

    @Test
    void limitExactlyAtMessagePart() {
        // HOSTILE A70: the last allowed part is a message/rfc822.
        String msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\n\r\nx\r\n"
                + "--p\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\ny\r\n--p--\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg), new MimeLimits(100, 3, 1 << 20, 100));
        MimePart last = m.root().children().get(1);
        assertThat(last.isMessage()).isFalse();
        assertThat(last.contentType()).isEqualTo(ContentType.OCTET_STREAM);
        MimeMessage m4 = MessageParser.parse(bytes(msg), new MimeLimits(100, 4, 1 << 20, 100));
        assertThat(m4.root().children().get(1).isMessage()).isTrue();
    }

    @Test
    void manyHeadersAndHugeHeaderLineAreLinear() {
        String many = "X-H: v\r\n".repeat(100_000) + "\r\nbody";
        long t0 = System.nanoTime();
        MimeMessage m = MessageParser.parse(bytes(many));
        assertThat(m.headers().size()).isEqualTo(10_000);
        assertThat(body(m, m.root())).isEqualTo("body");
        String huge = "Subject: " + "a".repeat(2 << 20) + "\r\nFrom: x@y\r\n\r\nbody";
        MimeMessage h = MessageParser.parse(bytes(huge));
        assertThat(h.headers().first("Subject")).isNull();
        assertThat(body(h, h.root())).isEqualTo("body");
        String folded = "Subject: a" + "\r\n b".repeat(300_000) + "\r\n\r\nx";
        MimeMessage f = MessageParser.parse(bytes(folded));
        assertThat(body(f, f.root())).isEqualTo("x");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void tenMegabytesOfBoundariesIsLinear() {
        StringBuilder sb = new StringBuilder("Content-Type: multipart/mixed; boundary=" + "q".repeat(70) + "\r\n\r\n");
        String line = "--" + "q".repeat(69) + "\r\n";
        while (sb.length() < 10_000_000) sb.append(line);
        long t0 = System.nanoTime();
        MimeMessage m = MessageParser.parse(bytes(sb.toString()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(m.root().isMultipart()).isFalse();
    }

    @Test
    void utf8HeaderValues() {
        byte[] msg = "Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(MessageParser.parse(msg).headers().first("Subject")).isEqualTo("Grüße");
        byte[] latin = "Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(MessageParser.parse(latin).headers().first("Subject")).isEqualTo("Grüße");
    }

    @Test
    void partHeadersAccessors() {
        String msg = "Content-Type: application/pdf; name=a.pdf\r\n"
                + "Content-Transfer-Encoding: BASE64 (comment)\r\n"
                + "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf\r\n"
                + "Content-ID: <id@x>\r\nContent-Language: en, de\r\n\r\nQUJD\r\n";
        MimeMessage m = MessageParser.parse(bytes(msg));
        MimePart r = m.root();
        assertThat(r.contentTransferEncoding()).isEqualTo("base64");
        assertThat(r.disposition().filename()).isEqualTo("€.pdf");
        assertThat(r.contentId()).isEqualTo("<id@x>");
        assertThat(r.contentLanguage()).containsExactly("en", "de");
        assertThat(new String(m.decodedBody(r), StandardCharsets.US_ASCII)).isEqualTo("ABC");
    }

    @Test
    void randomStructuresKeepOffsetInvariants() {
        String[] pieces = {"--a\r\n", "--a--\r\n", "--b\r\n", "--b--\n", "\r\n", "\n", "text\r\n", " folded\r\n",
            "Content-Type: multipart/mixed; boundary=a\r\n", "Content-Type: multipart/digest; boundary=b\r\n",
            "Content-Type: message/rfc822\r\n", "X: y\r\n", "no colon\r\n", "\r", "-", "=?utf-8?q?x?=\r\n"};
        java.util.Random rnd = new java.util.Random(42);
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int i = 0; i < n; i++) sb.append(pieces[rnd.nextInt(pieces.length)]);
            MimeMessage m = MessageParser.parse(bytes(sb.toString()), new MimeLimits(5, 50, 200, 20));
            java.util.ArrayDeque<MimePart> todo = new java.util.ArrayDeque<>(List.of(m.root()));
            while (!todo.isEmpty()) {
                MimePart p = todo.pop();
                assertThat(p.headerStart()).isLessThanOrEqualTo(p.headerEnd());
                assertThat(p.headerEnd()).isEqualTo(p.bodyStart());
                assertThat(p.bodyStart()).isLessThanOrEqualTo(p.bodyEnd());
                assertThat(p.bodyEnd()).isLessThanOrEqualTo(m.raw().length);
                assertThat(p.bodyLines()).isBetween(0, p.bodySize());
                assertThat(p.contentType().isMultipart()).isEqualTo(p.isMultipart());
                assertThat(p.contentType().isMessage()).isEqualTo(p.isMessage());
                assertThat(p.depth()).isLessThanOrEqualTo(5);
                for (MimePart c : p.children()) {
                    assertThat(c.headerStart()).isGreaterThanOrEqualTo(p.bodyStart());
                    assertThat(c.bodyEnd()).isLessThanOrEqualTo(p.bodyEnd());
                    todo.push(c);
                }
                if (p.isMessage()) {
                    assertThat(p.encapsulated().headerStart()).isEqualTo(p.bodyStart());
                    assertThat(p.encapsulated().bodyEnd()).isEqualTo(p.bodyEnd());
                    todo.push(p.encapsulated());
                }
                p.disposition();
                p.contentLanguage();
                AddressParser.parseList(p.headers().first("X"));
            }
            TextExtractor.text(m, 100);
        }
    }
}

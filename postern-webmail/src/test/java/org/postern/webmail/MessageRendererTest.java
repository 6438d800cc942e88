// SPDX-License-Identifier: Apache-2.0
package org.postern.webmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.postern.core.mime.MessageParser;

/** Which parts the message view shows (RFC 8621 §4.1.4), cid: images, charsets and bounds. */
class MessageRendererTest {
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    private final MessageRenderer renderer = new MessageRenderer();

    private MessageRenderer.Rendered render(String message, boolean remote) {
        return renderer.render(MessageParser.parse(message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)), remote);
    }

    @Test
    void alternativeShowsTheHtmlPartOnly() {
        MessageRenderer.Rendered r = render("""
                Subject: x
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary=b

                --b
                Content-Type: text/plain

                the text version
                --b
                Content-Type: text/html

                <p>the <b>html</b> version</p>
                --b--
                """, false);
        Document d = Jsoup.parse(r.html());
        assertThat(d.body().text()).contains("the html version").doesNotContain("the text version");
        assertThat(r.html()).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">");
        assertThat(r.remoteFound()).isFalse();
    }

    @Test
    void relatedImagesBecomeDataUrisAndSvgNever() {
        MessageRenderer.Rendered r = render("""
                Subject: x
                MIME-Version: 1.0
                Content-Type: multipart/related; boundary=b

                --b
                Content-Type: text/html

                <img src="cid:logo@x" alt="logo"><img src="cid:vector@x" alt="vector"><img src="CID:%3Clogo@x%3E" alt="again">
                --b
                Content-Type: image/png
                Content-Transfer-Encoding: base64
                Content-ID: <logo@x>

                PNGDATA
                --b
                Content-Type: image/svg+xml
                Content-ID: <vector@x>

                <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>
                --b--
                """.replace("PNGDATA", PNG), false);
        Document d = Jsoup.parse(r.html());
        assertThat(d.selectFirst("img[alt=logo]").attr("src")).isEqualTo("data:image/png;base64," + PNG);
        assertThat(d.selectFirst("img[alt=vector]").hasAttr("src")).isFalse();
        assertThat(r.html()).doesNotContain("svg", "onload");
    }

    @Test
    void plainTextIsEscapedAndAttachmentsAreNotShown() {
        MessageRenderer.Rendered r = render("""
                Subject: x
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain; charset=iso-8859-1
                Content-Transfer-Encoding: quoted-printable

                caf=E9 <script>alert(1)</script> https://example.com/x.
                --b
                Content-Type: text/html
                Content-Disposition: attachment; filename=a.html

                <p>attached html</p>
                --b
                Content-Type: message/rfc822

                Subject: inner
                Content-Type: text/html

                <p>inner html</p>
                --b--
                """, false);
        Document d = Jsoup.parse(r.html());
        assertThat(d.body().text()).contains("café <script>alert(1)</script> https://example.com/x.")
                .doesNotContain("attached html", "inner html");
        assertThat(d.select("script")).isEmpty();
        assertThat(d.selectFirst("a").attr("href")).isEqualTo("https://example.com/x");
    }

    @Test
    void remoteImagesAreReportedBlockedOrKept() {
        String m = "Subject: x\nContent-Type: text/html\n\n<img src=\"https://t.example/p.gif\" alt=p>\n";
        assertThat(render(m, false).remoteFound()).isTrue();
        assertThat(render(m, false).html()).doesNotContain("t.example");
        assertThat(render(m, true).html()).contains("src=\"https://t.example/p.gif\"");
    }

    @Test
    void deeplyNestedMimeRendersWithinBounds() {
        StringBuilder b = new StringBuilder("Subject: deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n");
        int depth = 10_000;
        for (int i = 1; i <= depth; i++) b.append("--b").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=b").append(i).append("\n\n");
        b.append("--b").append(depth).append("\nContent-Type: text/plain\n\ndeep text\n");
        for (int i = depth; i >= 0; i--) b.append("--b").append(i).append("--\n");
        long start = System.nanoTime();
        MessageRenderer.Rendered r = render(b.toString(), false);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isLessThan(10_000);
        assertThat(r.html()).startsWith("<!DOCTYPE html>");
    }

    @Test
    void aLargeHtmlBodyRendersQuickly() {
        StringBuilder html = new StringBuilder();
        while (html.length() < 1_000_000) {
            html.append("<table width=600><tr><td style=\"color:#333;padding:4px\"><a href=\"https://shop.example/p\">item</a>"
                    + "<img src=\"https://cdn.example/i.png\" onerror=alert(1)></td></tr></table>\n");
        }
        String m = "Subject: big\nContent-Type: text/html\n\n" + html + "\n";
        renderer.render(MessageParser.parse(m.getBytes(StandardCharsets.UTF_8)), false);
        long start = System.nanoTime();
        MessageRenderer.Rendered r = renderer.render(MessageParser.parse(m.getBytes(StandardCharsets.UTF_8)), false);
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("MessageRendererTest: rendered " + html.length() + " chars of HTML in " + ms + " ms");
        // Generous: the build machine is shared; a quadratic step (10x slower) would still fail it.
        assertThat(ms).isLessThan(8_000);
        assertThat(r.html()).doesNotContain("onerror", "cdn.example");
    }
}

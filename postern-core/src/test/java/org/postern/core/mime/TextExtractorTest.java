// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextExtractorTest {

    @Test
    void prefersPlainAlternativeAndDecodes() {
        String msg = "Content-Type: multipart/mixed; boundary=m\r\n\r\n"
                + "--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
                + "--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "caf=E9 au lait\r\n"
                + "--a\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n--a--\r\n"
                + "--m\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getEncoder().encodeToString(
                        "<html><style>p{}</style><script>alert(1)</script><b>Gr\u00fc\u00dfe</b> &amp; &#x41;<br>x</html>"
                                .getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "--m\r\nContent-Type: image/png\r\n\r\nbinary\r\n--m--\r\n";
        String text = TextExtractor.text(MessageParser.parse(msg.getBytes(StandardCharsets.ISO_8859_1)), 1000);
        assertThat(text).contains("café au lait").contains("Grüße & A").doesNotContain("html version")
                .doesNotContain("alert").doesNotContain("p{}").doesNotContain("binary");
        assertThat(TextExtractor.text(MessageParser.parse(msg.getBytes(StandardCharsets.ISO_8859_1)), 4)).isEqualTo("café");
    }

    @Test
    void nestedMessageBodyIsIncluded() {
        String msg = "Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\ninner text\r\n";
        assertThat(TextExtractor.text(MessageParser.parse(msg.getBytes(StandardCharsets.US_ASCII)), 100)).isEqualTo("inner text");
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentDecoderTest {

    /** In the tables "~" stands for CRLF and "^" for a bare LF. */
    private static String decode(String in, String cte) {
        in = eol(in);
        return new String(ContentDecoder.decode(in.getBytes(StandardCharsets.ISO_8859_1), cte), StandardCharsets.ISO_8859_1);
    }

    private static String eol(String s) {
        return s.replace("~", "\r\n").replace("^", "\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "SGVsbG8= | Hello",
        "SGVs~bG8= | Hello",
        "SGVsbG8 | Hello",
        "S G V s b G 8 = | Hello",
        "SGVs!!bG8=** | Hello",
        "SGk=SGk= | HiHi",
        "'' | ''",
        "= | ''",
        "QQ | A",
        "Q | ''",
    })
    void base64(String in, String out) {
        assertThat(decode(in, "base64")).isEqualTo(eol(out));
        assertThat(decode(in, " BASE64 ")).isEqualTo(eol(out));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "caf=E9 | café",
        "caf=e9 | café",
        "soft=~break | softbreak",
        "soft=  ~break | softbreak",
        "soft=^break | softbreak",
        "'trailing   ~space' | 'trailing~space'",
        "'in the middle' | 'in the middle'",
        "bad=ZZ | bad=ZZ",
        "end= | end",
        "end=4 | end=4",
        "a==3D | a==",
    })
    void quotedPrintable(String in, String out) {
        assertThat(decode(in, "quoted-printable")).isEqualTo(eol(out));
    }

    @Test
    void identityEncodings() {
        for (String cte : new String[] {"7bit", "8bit", "binary", "x-uuencode", null}) {
            assertThat(decode("a=41\r\n", cte)).isEqualTo("a=41\r\n");
        }
    }

    @Test
    void sliceOfMessage() {
        byte[] b = "xxSGVsbG8=yy".getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(ContentDecoder.decode(b, 2, 8, "base64"), StandardCharsets.US_ASCII)).isEqualTo("Hello");
    }
}

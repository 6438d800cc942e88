// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.mailauth.HeaderSection;

/** RFC 6376 §3.4: the canonicalizations, with the RFC's own example (§3.4.6). */
class DkimCanonicalizationTest {
    private static String body(String in, boolean relaxed, long limit, int chunk) throws Exception {
        MessageDigest capture = new MessageDigest("capture") {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

            @Override
            protected void engineUpdate(byte input) {
                out.write(input);
            }

            @Override
            protected void engineUpdate(byte[] input, int offset, int len) {
                out.write(input, offset, len);
            }

            @Override
            protected byte[] engineDigest() {
                return out.toByteArray();
            }

            @Override
            protected void engineReset() {
                out.reset();
            }
        };
        DkimCanonicalization.Body b = new DkimCanonicalization.Body(relaxed, capture, limit);
        byte[] bytes = in.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += chunk) b.update(bytes, i, Math.min(chunk, bytes.length - i));
        return new String(b.finish(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void rfcExampleHeaders() {
        HeaderSection h = HeaderSection.parse("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(h.fields()).hasSize(2);
        assertThat(DkimCanonicalization.header(h.fields().get(0), true)).isEqualTo("a:X\r\n");
        assertThat(DkimCanonicalization.header(h.fields().get(1), true)).isEqualTo("b:Y Z\r\n");
        assertThat(DkimCanonicalization.header(h.fields().get(1), false)).isEqualTo("B : Y\t\r\n\tZ  \r\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ' C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n' | true  | ' C\\r\\nD E\\r\\n'
            ' C \\r\\nD \\t E\\r\\n\\r\\n\\r\\n' | false | ' C \\r\\nD \\t E\\r\\n'
            ''                                   | true  | ''
            ''                                   | false | '\\r\\n'
            '\\r\\n\\r\\n'                       | true  | ''
            '\\r\\n\\r\\n'                       | false | '\\r\\n'
            'no newline'                         | false | 'no newline\\r\\n'
            'trailing  \\t'                      | true  | 'trailing\\r\\n'
            'a\\rb\\nc\\r\\n'                    | false | 'a\\rb\\nc\\r\\n'
            'x\\r\\n  \\r\\n'                    | true  | 'x\\r\\n'
            'x\\r\\n  \\r\\n'                    | false | 'x\\r\\n  \\r\\n'
            'a\\r\\n\\r\\nb\\r\\n'               | true  | 'a\\r\\n\\r\\nb\\r\\n'
            'ends with cr\\r'                    | false | 'ends with cr\\r\\r\\n'
            """)
    void bodies(String in, boolean relaxed, String expected) throws Exception {
        String input = unescape(in);
        for (int chunk : new int[] {1, 2, 3, 1000}) {
            assertThat(body(input, relaxed, -1, chunk)).as("chunk " + chunk).isEqualTo(unescape(expected));
        }
    }

    @Test
    void lengthLimitCutsTheCanonicalBody() throws Exception {
        assertThat(body("hello world\r\n", false, 5, 4)).isEqualTo("hello");
    }

    @Test
    void knownEmptyBodyHashes() {
        MessageDigest d = DkimVerifier.sha256();
        assertThat(Base64.getEncoder().encodeToString(new DkimCanonicalization.Body(false, d, -1).finish()))
                .isEqualTo("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
        assertThat(Base64.getEncoder().encodeToString(new DkimCanonicalization.Body(true, DkimVerifier.sha256(), -1).finish()))
                .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}

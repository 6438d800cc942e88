// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Splitting a header section into fields, octet for octet, including malformed and oversized input. */
class HeaderSectionTest {
    private static HeaderSection parse(String s) {
        return HeaderSection.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void foldedFieldsKeepTheirOctets() {
        String in = "Subject: a\r\n b\r\n\tc\r\nFrom: x@y\r\n";
        HeaderSection h = parse(in);
        assertThat(h.fields()).extracting(HeaderSection.Field::name).containsExactly("Subject", "From");
        assertThat(h.fields().get(0).raw()).isEqualTo("Subject: a\r\n b\r\n\tc\r\n");
        assertThat(h.fields().get(0).value()).isEqualTo(" a b\tc");
        assertThat(new String(h.toBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(in);
    }

    @Test
    void malformedLinesAndEightBitOctets() {
        HeaderSection h = parse("no colon here\r\n: empty name\r\nX-8bit: \u00e9\u00ff\r\nBare: lf\nNext: one\r\n\r\nBody: not a field\r\n");
        assertThat(h.fields()).extracting(HeaderSection.Field::name).containsExactly("X-8bit", "Bare", "Next");
        assertThat(h.fields().get(0).bytes()).endsWith(0xe9, 0xff, '\r', '\n');
        assertThat(parse("\r\nFrom: body@only\r\n").fields()).isEmpty();
        assertThat(parse("").fields()).isEmpty();
    }

    @Test
    void fieldCountIsBounded() {
        HeaderSection h = parse("X: y\r\n".repeat(HeaderSection.MAX_FIELDS + 5));
        assertThat(h.fields()).hasSize(HeaderSection.MAX_FIELDS);
        assertThat(h.truncated()).isTrue();
        assertThat(parse("X: y\r\n".repeat(10)).truncated()).isFalse();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EncodedWordsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "plain text | plain text",
        "=?iso-8859-1?q?caf=E9?= | café",
        "=?UTF-8?B?R3LDvMOfZQ==?= | Grüße",
        "(=?utf-8?q?x?=) | (x)",
        "'=?utf-8?q?a?= b' | 'a b'",
        "'=?utf-8?q?a?= =?utf-8?q?b?=' | ab",
        "'=?utf-8?q?a?=     =?utf-8?q?b?=' | ab",
        "=?utf-8?q?a_b?= | 'a b'",
        "'=?utf-8?q?a?= =?utf-8?q?_b?=' | 'a b'",
        "'=?utf-8?b?4oI=?= =?utf-8?b?rA==?=' | €",
        "'=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=' | éé",
        "abc=?utf-8?q?d?= | abcd",
        "=?utf-8*en?q?hi?= | hi",
        "=?x-unknown?q?abc?= | =?x-unknown?q?abc?=",
        "=?utf-8?b?@@@?= | =?utf-8?b?@@@?=",
        "=?utf-8?x?abc?= | =?utf-8?x?abc?=",
        "=?utf-8?q?=FF?= | \uFFFD",
        "=?utf-8?q?a=0D=0ABcc:_x?= | 'a  Bcc: x'",
        "=?utf-8?q?=00?= | \uFFFD",
        "'a =? b ?= c' | 'a =? b ?= c'",
        "=?utf-8?q?bad=Zhex?= | bad=Zhex",
        "=?utf-8?q?unterminated | =?utf-8?q?unterminated",
        "=?utf-8?b?YQ?= | a",
    })
    void decodes(String in, String expected) {
        assertThat(EncodedWords.decode(in)).isEqualTo(expected);
    }

    @Test
    void foldedWhitespaceBetweenWordsIsDropped() {
        assertThat(EncodedWords.decode("=?utf-8?q?a?=\r\n =?utf-8?q?b?= c")).isEqualTo("ab c");
    }

    @Test
    void tenThousandAdjacentWordsAreLinear() {
        String in = "=?utf-8?q?ab?= ".repeat(10_000) + "=?utf-8?b?" + "QUFB".repeat(250_000) + "?=";
        long t0 = System.nanoTime();
        String out = EncodedWords.decode(in);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        assertThat(out).hasSize(20_000 + 750_000);
        String junk = "=?".repeat(200_000) + "=?utf-8?q?" + "x".repeat(100_000);
        t0 = System.nanoTime();
        assertThat(EncodedWords.decode(junk)).isEqualTo(junk);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    }
}

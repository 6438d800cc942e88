// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XtextTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "abc|abc",
        "a+2Bb|a+b",
        "a+3Db|a=b",
        "+20|' '",
        "a+2|NULL",
        "a+|NULL",
        "a+2b|NULL", // RFC 3461 §4: upper-case hex only
        "a+GG|NULL",
        "a=b|NULL",
        "'a b'|NULL",
    })
    void decode(String in, String expected) {
        assertThat(Xtext.decode(in)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"a+b=c|a+2Bb+3Dc", "'x y'|x+20y", "plain@example.org|plain@example.org"})
    void encodeRoundTrips(String in, String encoded) {
        assertThat(Xtext.encode(in)).isEqualTo(encoded);
        assertThat(Xtext.decode(encoded)).isEqualTo(in);
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TextTest {
    static Stream<Arguments> literals() {
        return Stream.of(
                Arguments.of("* 1 FETCH (BODY[] {42}", 42L),
                Arguments.of("* 1 FETCH (BINARY[] ~{7}", 7L),
                Arguments.of("* 1 FETCH (BODY[] {0}", 0L),
                Arguments.of("* 1 FETCH (FLAGS (\\Seen))", -1L),
                Arguments.of("* OK {}", -1L),
                Arguments.of("}", -1L),
                Arguments.of("{12", -1L),
                Arguments.of("x {1a}", -1L),
                Arguments.of("", -1L),
                // longer than any real literal: refused rather than overflowing
                Arguments.of("x {1234567890123456789012}", -1L));
    }

    @ParameterizedTest
    @MethodSource("literals")
    void trailingLiteral(String line, long expected) {
        assertThat(Text.trailingLiteral(line)).isEqualTo(expected);
    }

    @Test
    void quotedEscapesAndRefusesLineBreaks() {
        assertThat(Text.quoted("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThatThrownBy(() -> Text.quoted("a\r\nb LOGOUT")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Text.quoted("a\0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonEscapes() {
        assertThat(Text.json("a\"\\\n\u0001")).isEqualTo("\"a\\\"\\\\\\n\\u0001\"");
    }
}

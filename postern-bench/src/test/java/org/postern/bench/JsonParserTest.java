// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {
    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("true", true),
                Arguments.of(" null ", null),
                Arguments.of("-12.5e1", -125.0),
                Arguments.of("\"a\\\"b\\\\c\\u00e9\\n\"", "a\"b\\c\u00e9\n"),
                Arguments.of("[]", List.of()),
                Arguments.of("[1, \"x\", false]", List.of(1.0, "x", false)),
                Arguments.of("{}", Map.of()),
                Arguments.of("{\"a\":{\"b\":[2]}}", Map.of("a", Map.of("b", List.of(2.0)))));
    }

    @ParameterizedTest
    @MethodSource("values")
    void parses(String text, Object expected) {
        assertThat(JsonParser.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"", "tru", "nul",
            "1 2", "{a:1}", "\"tab\there\"", "-", "[]]"})
    void refusesMalformed(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesDeepNestingWithoutOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> JsonParser.parse(deep)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deep");
    }

    @Test
    void atFollowsKeysAndIndexesAndAnswersNullForMissingSteps() {
        Object o = JsonParser.parse("{\"methodResponses\":[[\"Email/query\",{\"ids\":[\"e1\",\"e2\"]},\"q\"]]}");
        assertThat(JsonParser.at(o, "methodResponses", 0, 1, "ids", 1)).isEqualTo("e2");
        assertThat(JsonParser.at(o, "methodResponses", 1, 0)).isNull();
        assertThat(JsonParser.at(o, "methodResponses", 0, "x")).isNull();
        assertThat(JsonParser.at(o, "methodResponses", -1)).isNull();
    }

    @Test
    void statsGiveMinMedianAndNearestRankP90() {
        double[] ms = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertThat(JmapBench.stats(ms)).isEqualTo("{\"min\":1.000,\"median\":5.500,\"p90\":9.000,\"max\":10.000,\"n\":10}");
    }
}

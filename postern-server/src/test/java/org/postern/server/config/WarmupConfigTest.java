// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WarmupConfigTest {

    @Test
    void onByDefaultForServeAndWrittenWithItsExplanation() throws ConfigException {
        assertThat(ConfigParser.parse("").warmup()).isTrue();
        ServerConfig d = ServerConfig.defaults("mail.example.org");
        assertThat(d.warmup()).isTrue();
        String text = ConfigWriter.render(d);
        assertThat(text).containsPattern("(?m)^warmup = on$").contains("throwaway mailbox");
        assertThat(ConfigParser.parse(text)).isEqualTo(d);
    }

    static Stream<Arguments> values() {
        return Stream.of(Arguments.of("on", true), Arguments.of("off", false), Arguments.of("OFF", false),
                Arguments.of("true", true), Arguments.of("no", false), Arguments.of(" yes ", true));
    }

    @ParameterizedTest
    @MethodSource("values")
    void readsOnAndOffLikeTheOtherSwitches(String value, boolean expected) throws ConfigException {
        ServerConfig c = ConfigParser.parse("hostname = a.example\nwarmup = " + value + "  # comment\n");
        assertThat(c.warmup()).isEqualTo(expected);
        assertThat(ConfigParser.parse(ConfigWriter.render(c))).isEqualTo(c);
    }

    @Test
    void offSurvivesTheOtherWithers() throws ConfigException {
        ServerConfig c = ServerConfig.defaults("a.example").withWarmup(false).withListenAddress("127.0.0.1")
                .withSmtpPregreetDelay(java.time.Duration.ZERO).withAdmins(java.util.List.of("x@a.example"));
        assertThat(c.warmup()).isFalse();
        assertThat(ConfigWriter.render(c)).containsPattern("(?m)^warmup = off$");
        assertThat(ConfigParser.parse(ConfigWriter.render(c)).warmup()).isFalse();
    }

    static Stream<Arguments> badValues() {
        return Stream.of(Arguments.of("warmup = maybe", 1), Arguments.of("\n\nwarmup = ", 3), Arguments.of("warmup = on\nwarmup = off", 2),
                Arguments.of("warmup = o\u0000n", 1), Arguments.of("warmup = " + "on".repeat(1000), 1));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesNameTheirLine(String text, int line) {
        assertThatThrownBy(() -> ConfigParser.parse(text))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining("warmup")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u0000").hasSizeLessThan(200));
    }
}

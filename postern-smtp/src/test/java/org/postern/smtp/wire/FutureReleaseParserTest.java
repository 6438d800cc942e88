// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4865 §3 hold-params of MAIL FROM, with hostile forms (erratum 2040: HOLDUNTIL is an RFC 3339 date-time). */
class FutureReleaseParserTest {
    static SmtpCommand parse(String line) {
        return SmtpCommandParser.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("HOLDFOR=3600", Duration.ofHours(1), null),
                Arguments.of("holdfor=0", Duration.ZERO, null),
                Arguments.of("HOLDFOR=999999999", Duration.ofSeconds(999_999_999), null),
                Arguments.of("HOLDUNTIL=2026-12-01T08:00:00Z", null, Instant.parse("2026-12-01T08:00:00Z")),
                Arguments.of("HOLDUNTIL=2026-12-01t09:00:00.5+01:00", null, Instant.parse("2026-12-01T08:00:00.5Z")),
                Arguments.of("HOLDUNTIL=2026-12-01T08:00:00z", null, Instant.parse("2026-12-01T08:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void holdParams(String param, Duration holdFor, Instant holdUntil) {
        SmtpCommand c = parse("MAIL FROM:<a@example.org> " + param);
        assertThat(c).isInstanceOf(SmtpCommand.Mail.class);
        MailParameters p = ((SmtpCommand.Mail) c).params();
        assertThat(p.holdFor()).isEqualTo(holdFor);
        assertThat(p.holdUntil()).isEqualTo(holdUntil);
        assertThat(p.held()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HOLDFOR", "HOLDFOR=", "HOLDFOR=-1", "HOLDFOR=1000000000", "HOLDFOR=12a", "HOLDFOR=+5",
            "HOLDUNTIL", "HOLDUNTIL=tomorrow", "HOLDUNTIL=2026-12-01", "HOLDUNTIL=2026-12-01T08:00:00",
            "HOLDUNTIL=2026-13-01T08:00:00Z", "HOLDUNTIL=2026-12-01T25:00:00Z", "HOLDUNTIL=2026-12-01 08:00:00Z",
            "HOLDUNTIL=99999-12-01T08:00:00Z", "HOLDFOR=60 HOLDUNTIL=2026-12-01T08:00:00Z",
            "HOLDUNTIL=2026-12-01T08:00:00Z HOLDFOR=60", "HOLDFOR=1 HOLDFOR=2"})
    void malformedHoldParamsAre501(String param) {
        SmtpCommand c = parse("MAIL FROM:<a@example.org> " + param);
        assertThat(c).isInstanceOf(SmtpCommand.Invalid.class);
        assertThat(((SmtpCommand.Invalid) c).reply().code()).isEqualTo(501);
    }

    @Test
    void releasedMakesTheHoldAbsoluteAndDropsAPastOne() {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        MailParameters holdFor = new MailParameters(-1, BodyType.SEVEN_BIT, false, null, null, false, Duration.ofMinutes(5), null);
        assertThat(holdFor.released(now).holdUntil()).isEqualTo(now.plusSeconds(300));
        assertThat(holdFor.released(now).holdFor()).isNull();
        MailParameters past = new MailParameters(-1, BodyType.SEVEN_BIT, false, null, null, false, null, now.minusSeconds(1));
        assertThat(past.released(now).held()).isFalse();
        assertThat(MailParameters.NONE.held()).isFalse();
        assertThat(new MailParameters(-1, BodyType.SEVEN_BIT, false, null, null, false, Duration.ZERO, null).released(now).held())
                .isFalse();
    }
}

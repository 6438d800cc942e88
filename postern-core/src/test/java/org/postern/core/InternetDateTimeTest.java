// SPDX-License-Identifier: Apache-2.0
package org.postern.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InternetDateTimeTest {
    @ParameterizedTest
    @CsvSource({
        "2026-11-27T10:00:00Z, 2026-11-27T10:00:00Z",
        "2026-11-27t10:00:00z, 2026-11-27T10:00:00Z",
        "2026-11-27T12:00:00+02:00, 2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00.123456789-00:30, 2026-11-27T10:30:00.123456789Z",
    })
    void parses(String text, String instant) {
        assertThat(InternetDateTime.parse(text)).isEqualTo(Instant.parse(instant));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-11-27", "2026-11-27 10:00:00Z", "2026-11-27T10:00:00", "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T10:00:00.1234567890Z", "2026-11-27T10:00:00+2:00",
        "+12026-11-27T10:00:00Z", "2026-11-27T10:00:00Z ", "2026-11-27T10:00:00.000000000000000000000000000000Z"})
    void refuses(String text) {
        assertThat(InternetDateTime.parse(text)).isNull();
    }
}

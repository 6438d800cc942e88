// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DateParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Fri, 21 Nov 1997 09:55:06 -0600 | 1997-11-21T09:55:06-06:00",
        "21 Nov 1997 09:55:06 -0600 | 1997-11-21T09:55:06-06:00",
        "Tue, 1 Jul 2003 10:52:37 +0200 (CEST) | 2003-07-01T10:52:37+02:00",
        "Thu, 13 Feb 69 23:32:54 -0330 | 1969-02-13T23:32:54-03:30",
        "Thu, 13 Feb 04 23:32 -0330 | 2004-02-13T23:32-03:30",
        "Mon, 2 Jan 106 01:02:03 GMT | 2006-01-02T01:02:03Z",
        "2 jan 2006 01:02:03 EST | 2006-01-02T01:02:03-05:00",
        "2 January 2006 01:02:03 PDT | 2006-01-02T01:02:03-07:00",
        "Mon (Monday), 2 (day) Jan 2006 (x (nested)) 01:02:03 +0000 | 2006-01-02T01:02:03Z",
        "2-Jan-2006 01:02:03 +0100 | 2006-01-02T01:02:03+01:00",
        "Mon Jan  2 01:02:03 2006 | 2006-01-02T01:02:03Z",
        "2 Jan 2006 01:02:03 | 2006-01-02T01:02:03Z",
        "2 Jan 2006 01:02:03 A | 2006-01-02T01:02:03Z",
        "31 Dec 2016 23:59:60 +0000 | 2016-12-31T23:59:59Z",
        "1 Jan 2000 00:00:00 +9959 | 2000-01-01T00:00Z",
    })
    void parses(String in, String expected) {
        assertThat(DateParser.parse(in)).hasValueSatisfying(
                d -> assertThat(d.toOffsetDateTime()).isEqualTo(OffsetDateTime.parse(expected)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "32 Jan 2006 01:02:03 +0000", "30 Feb 2006 01:02:03 +0000",
        "1 Jan 2006 25:00:00 +0000", "1 Jan 2006 10:61 +0000", "1 Foo 2006 10:00 +0000", "1 Jan 2006",
        "1 Jan 99999 10:00 +0000", "1 Jan 2006 1:2:3:4 +0000", "1 Jan 2006 10:00 +0099"})
    void rejects(String in) {
        assertThat(DateParser.parse(in)).isEmpty();
    }

    @Test
    void hugeInputIsCut() {
        assertThat(DateParser.parse("1 Jan 2006 10:00 +0000" + " (x)".repeat(1_000_000))).isPresent();
        assertThat(DateParser.parse(null)).isEmpty();
    }
}

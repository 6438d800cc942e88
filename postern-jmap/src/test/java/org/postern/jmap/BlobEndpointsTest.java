// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlobEndpointsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "report.pdf|report.pdf",
        "../../etc/passwd|_.._etc_passwd",
        "..\\\\win.ini|__win.ini",
        "a\"b;c.txt|a_b_c.txt",
        "\u202egpj.exe|_gpj.exe",
        "...|download",
        "''|download",
    })
    void namesAreSanitised(String in, String out) {
        assertThat(BlobEndpoints.sanitiseName(in.equals("''") ? "" : in)).isEqualTo(out);
    }
}

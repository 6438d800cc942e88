// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MboxTest {
    private static List<String> split(String mbox) {
        return Mbox.split(mbox.getBytes(StandardCharsets.US_ASCII)).stream()
                .map(b -> new String(b, StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void splitsOnFromLinesAndConvertsToCrlf() {
        assertThat(split("From a@b Thu Jan  1 00:00:00 2025\nSubject: 1\n\nbody\n\nFrom c@d Thu Jan  1 00:00:00 2025\n"
                + "Subject: 2\n\n>From quoted\n")).containsExactly("Subject: 1\r\n\r\nbody\r\n", "Subject: 2\r\n\r\n>From quoted\r\n");
    }

    @Test
    void crlfInputAndNoTrailingNewline() {
        assertThat(split("From x\r\nA: 1\r\n\r\nb")).containsExactly("A: 1\r\n\r\nb\r\n");
    }

    @Test
    void textBeforeTheFirstSeparatorAndEmptyInput() {
        assertThat(split("garbage\n")).isEmpty();
        assertThat(split("")).isEmpty();
    }
}

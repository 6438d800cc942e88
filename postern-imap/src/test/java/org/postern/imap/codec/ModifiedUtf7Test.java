// SPDX-License-Identifier: Apache-2.0
package org.postern.imap.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModifiedUtf7Test {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INBOX|INBOX",
        "a&b|a&-b",
        "&|&-",
        "Entwürfe|Entw&APw-rfe",
        "日本語|&ZeVnLIqe-",
        "~peter/mail/台北/日本語|~peter/mail/&U,BTFw-/&ZeVnLIqe-",
        "😀|&2D3eAA-",
        "a b|a b",
    })
    void roundTrips(String name, String wire) {
        assertThat(ModifiedUtf7.encode(name)).isEqualTo(wire);
        assertThat(ModifiedUtf7.decode(wire)).contains(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "&AGE",          // unterminated
        "&AGEAZQ-",      // encodes printable ASCII "ae"
        "&AGE-&AGE-",    // two adjacent encoded runs (non-canonical)
        "&A!E-",         // not base64
        "&2D3-",         // lone high surrogate
        "&AOQ/-",        // "/" is not modified base64
        "&AOR-",         // non-zero padding bits
        "caf\u00e9",     // raw 8-bit
        "a\tb",          // control character
    })
    void rejectsInvalid(String wire) {
        assertThat(ModifiedUtf7.decode(wire)).isEmpty();
    }
}

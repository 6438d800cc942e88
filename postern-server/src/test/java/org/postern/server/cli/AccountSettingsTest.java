// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The quota settings of {@code postern account set} (RFC 9208 STORAGE/MESSAGE limits). */
class AccountSettingsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "quota-storage=2G|quota-storage|2147483648",
        "QUOTA-STORAGE=500m|quota-storage|524288000",
        "quota-storage=1024|quota-storage|1024",
        "quota-storage=3k|quota-storage|3072",
        "quota-storage=1T|quota-storage|1099511627776",
        "quota-storage=unlimited|quota-storage|''",
        "quota-messages=100000|quota-messages|100000",
        "quota-messages=0|quota-messages|0",
        "quota-messages=unlimited|quota-messages|''",
    })
    void accepted(String input, String key, String value) {
        assertThat(AccountSettings.parse(input)).isEqualTo(new AccountSettings.Setting(key, value));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "quota-storage=-1", "quota-storage=2X", "quota-storage=", "quota-storage=9999999999999T",
        "quota-storage=1.5G", "quota-messages=1k", "quota-messages=-5", "quota-messages=9999999999999999",
    })
    void refused(String input) {
        assertThatThrownBy(() -> AccountSettings.parse(input)).isInstanceOf(CliFailure.class);
    }
}

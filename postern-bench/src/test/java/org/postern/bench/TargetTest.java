// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TargetTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.5.6.7", "::1", "localhost"})
    void loopbackAccepted(String host) {
        assertThat(Target.of(host, 993).address().isLoopbackAddress()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "192.168.1.1", "8.8.8.8", "::ffff:8.8.8.8", "0.0.0.0", "example.com",
        "127.0.0.1.nip.io", ""})
    void everythingElseRefused(String host) {
        assertThatThrownBy(() -> Target.of(host, 993)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portRange() {
        assertThatThrownBy(() -> Target.of("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.of("127.0.0.1", 70000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sourceAddressesStayInLoopbackAndSpread() {
        assertThat(SourceAddresses.forConnection(0).isLoopbackAddress()).isTrue();
        assertThat(SourceAddresses.forConnection(19_999).isLoopbackAddress()).isTrue();
        assertThat(SourceAddresses.forConnection(0)).isEqualTo(SourceAddresses.forConnection(SourceAddresses.PER_ADDRESS - 1));
        assertThat(SourceAddresses.forConnection(0)).isNotEqualTo(SourceAddresses.forConnection(SourceAddresses.PER_ADDRESS));
        assertThat(SourceAddresses.forConnection(0).getHostAddress()).isNotEqualTo("127.0.0.1");
    }
}

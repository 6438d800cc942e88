// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostNamesTest {
    @Test
    void onlyDottedNamesAreUsable() {
        assertThat(HostNames.usable("mail.example.org")).isTrue();
        assertThat(HostNames.usable("myhost")).isFalse();
        assertThat(HostNames.usable("localhost")).isFalse();
        assertThat(HostNames.usable("myhost.localdomain")).isFalse();
        assertThat(HostNames.usable("192.168.1.2")).isFalse();
        assertThat(HostNames.usable("fe80::1")).isFalse();
        assertThat(HostNames.usable("")).isFalse();
        assertThat(HostNames.usable(null)).isFalse();
        assertThat(HostNames.usable("bad_name.example")).isFalse();
    }

    @Test
    void detectAlwaysGivesAValidDomain() {
        String name = HostNames.detect();
        assertThat(name.equals("localhost") || HostNames.usable(name)).as(name).isTrue();
    }
}

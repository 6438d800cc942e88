// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateReportTest {
    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of(List.of("mail.example.org"), "mail.example.org", true),
                Arguments.of(List.of("mail.example.org"), "MAIL.Example.org.", true),
                Arguments.of(List.of("*.example.org"), "mail.example.org", true),
                // RFC 6125 §6.4.3: the wildcard stands for exactly one label
                Arguments.of(List.of("*.example.org"), "a.b.example.org", false),
                Arguments.of(List.of("*.example.org"), "example.org", false),
                Arguments.of(List.of("mail.example.org"), "example.org", false),
                Arguments.of(List.of("mail.example.org.evil.test"), "mail.example.org", false),
                Arguments.of(List.of("127.0.0.1"), "127.0.0.1", true),
                Arguments.of(List.of("0:0:0:0:0:0:0:1"), "::1", true),
                Arguments.of(List.of("localhost"), "127.0.0.1", false),
                Arguments.of(List.of(), "localhost", false));
    }

    @ParameterizedTest
    @MethodSource("names")
    void covers(List<String> sans, String host, boolean expected) {
        assertThat(CertificateReport.covers(sans, host)).isEqualTo(expected);
    }

    @Test
    void connectAddressAndDnsServer() throws Exception {
        assertThat(DoctorCommand.connectAddress("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(DoctorCommand.connectAddress("::")).isEqualTo("::1");
        assertThat(DoctorCommand.connectAddress("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(DoctorCommand.dnsAddress("192.0.2.1").getPort()).isEqualTo(53);
        assertThat(DoctorCommand.dnsAddress("192.0.2.1:5353").getPort()).isEqualTo(5353);
        assertThat(DoctorCommand.dnsAddress("[2001:db8::1]:5353").getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DoctorCommand.dnsAddress("dns.example:53"))
                .isInstanceOf(java.net.UnknownHostException.class);
    }
}

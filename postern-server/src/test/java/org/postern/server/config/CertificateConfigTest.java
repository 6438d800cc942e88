// SPDX-License-Identifier: Apache-2.0
package org.postern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The acme* and admins keys of postern.conf. */
class CertificateConfigTest {

    @Test
    void acmeIsOffByDefaultAndPointsAtLetsEncrypt() throws ConfigException {
        ServerConfig c = ConfigParser.parse("");
        assertThat(c.certificates()).isEqualTo(CertificateConfig.defaults());
        assertThat(c.certificates().acme()).isFalse();
        assertThat(c.certificates().directory()).isEqualTo(CertificateConfig.LETS_ENCRYPT);
        assertThat(c.admins()).isEmpty();
        String text = ConfigWriter.render(c);
        assertThat(text).contains("acme = off").contains("acme_challenge = http-01").contains("admins = \n");
    }

    @Test
    void everyKeyReadsBackUnchanged() throws ConfigException {
        ServerConfig c = ConfigParser.parse("""
                acme = on
                acme_directory = https://127.0.0.1:14000/dir
                acme_email = postmaster@example.org
                acme_challenge = TLS-ALPN-01
                acme_names = Mail.example.org, autoconfig.example.org  mta-sts.example.org,mail.example.org
                acme_trust_file = pebble.pem
                admins = Alice@example.org, bob@example.org
                """);
        assertThat(c.certificates()).isEqualTo(new CertificateConfig(true, "https://127.0.0.1:14000/dir", "postmaster@example.org",
                "tls-alpn-01", List.of("mail.example.org", "autoconfig.example.org", "mta-sts.example.org"), "pebble.pem"));
        assertThat(c.admins()).containsExactly("alice@example.org", "bob@example.org");
        assertThat(ConfigParser.parse(ConfigWriter.render(c))).isEqualTo(c);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("acme = maybe\n", 1, "acme must be on or off"),
                Arguments.of("\nacme_directory = http://ca.example/dir\n", 2, "acme_directory must be the https URL"),
                Arguments.of("acme_directory = not a url\n", 1, "acme_directory must be the https URL"),
                Arguments.of("acme_email = nobody\n", 1, "acme_email must be a mail address"),
                Arguments.of("acme_challenge = dns-01\n", 1, "acme_challenge must be http-01"),
                Arguments.of("acme_names = *.example.org\n", 1, "is not a host name"),
                Arguments.of("acme_names = localhost\n", 1, "is not a host name"),
                Arguments.of("admins = root\n", 1, "admins: 'root' is not a mail address"),
                Arguments.of("tls_cert = a.pem\ntls_key = k.pem\nacme = on\n", 3, "leave tls_cert and tls_key empty"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesNameTheirLine(String text, int line, String message) {
        assertThatThrownBy(() -> ConfigParser.parse(text)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.getMessage()).contains(message);
        });
    }
}

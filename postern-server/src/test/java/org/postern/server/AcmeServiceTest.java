// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.autoconfig.acme.AcmeConfig;
import org.postern.server.config.CertificateConfig;

class AcmeServiceTest {
    @TempDir
    Path dir;

    @Test
    void defaultNamesAreTheHostThenAutoconfigAndMtaStsOfEachDomain() {
        assertThat(AcmeService.defaultNames("Mail.Example.org", List.of("example.org", "localhost", "other.example")))
                .containsExactly("mail.example.org", "autoconfig.example.org", "mta-sts.example.org",
                        "autoconfig.other.example", "mta-sts.other.example");
    }

    @Test
    void configUsesTheFilesTheListenersServe() throws Exception {
        ServerSettings s = ServerSettings.forTests(dir).withHostname("mail.example.org")
                .withAcme(new CertificateConfig(true, "https://ca.example/dir", "", CertificateConfig.TLS_ALPN_01, List.of(), ""));
        AcmeConfig c = AcmeService.config(s, List.of("example.org"));
        assertThat(s.tlsCert()).isEqualTo(dir.toAbsolutePath().normalize().resolve("acme/cert.pem"));
        assertThat(c.certificate()).isEqualTo(s.tlsCert());
        assertThat(c.privateKey()).isEqualTo(s.tlsKey());
        assertThat(c.challenge()).isEqualTo(AcmeConfig.Challenge.TLS_ALPN_01);
        assertThat(c.domains()).containsExactly("mail.example.org", "autoconfig.example.org", "mta-sts.example.org");
        assertThat(c.trust()).isEmpty();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The fixture itself: every port answers with its protocol's greeting, TLS works both ways. */
class TestServerTest {

    @Test
    void everyPortGreetsAndTlsIsTrusted() throws Exception {
        Path data;
        try (TestServer server = TestServer.start()) {
            data = server.dataDir();
            assertThat(server.store().directory().isLocalDomain(TestServer.DOMAIN)).isTrue();
            assertThat(Files.readString(server.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
            int[] plain = {server.smtpPort(), server.submissionPort(), server.imapPort(), server.pop3Port()};
            String[] greeting = {"220 ", "220 ", "* OK", "+OK"};
            for (int i = 0; i < plain.length; i++) {
                try (RawClient c = RawClient.connect(server.host(), plain[i])) {
                    c.expect(greeting[i]);
                    assertThat(c.isSecure()).isFalse();
                }
            }
            int[] tls = {server.submissionsPort(), server.imapsPort(), server.pop3sPort()};
            String[] tlsGreeting = {"220 ", "* OK", "+OK"};
            for (int i = 0; i < tls.length; i++) {
                try (RawClient c = RawClient.connect(server.host(), tls[i], server.sslContext())) {
                    c.expect(tlsGreeting[i]);
                    assertThat(c.isSecure()).isTrue();
                }
            }
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void createdUserLogsInOverPop3AfterStls() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.createUser("alice@example.test", "s3cret");
            try (RawClient c = RawClient.connect(server.host(), server.pop3Port())) {
                c.expect("+OK");
                c.send("STLS");
                c.expect("+OK");
                c.startTls(server.sslContext());
                String plain = Base64.getEncoder().encodeToString("\0alice@example.test\0s3cret".getBytes());
                c.send("AUTH PLAIN " + plain);
                c.expect("+OK");
                c.send("QUIT");
                c.expect("+OK");
            }
        }
    }

    @Test
    void smtpStartTlsOnSubmission() throws Exception {
        try (TestServer server = TestServer.start()) {
            try (RawClient c = RawClient.connect(server.host(), server.submissionPort())) {
                c.expect("220 ");
                c.send("EHLO client.example");
                c.readUntil("250 ");
                c.send("STARTTLS");
                c.expect("220 ");
                c.startTls(server.sslContext());
                c.send("EHLO client.example");
                assertThat(c.readUntil("250 ")).anyMatch(l -> l.contains("AUTH"));
            }
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.testkit.TestServer;

/** curl speaks SMTP, IMAP and POP3 over TLS; it checks the certificate against our CA file. */
class CurlIT {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("dave@example.test", "dave-password");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private record Result(int exit, String out) {}

    private Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", server.certificatePem().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void sendOverSubmissionThenReadOverImapsAndPop3s() throws Exception {
        String token = UUID.randomUUID().toString();
        Path mail = Files.createTempFile("mail", ".eml");
        Files.writeString(mail, "From: dave@example.test\r\nTo: dave@example.test\r\nSubject: curl " + token
                + "\r\n\r\nbody " + token + "\r\n");
        Result sent = curl("--ssl-reqd", "smtp://localhost:" + server.submissionPort(), "--user", "dave@example.test:dave-password",
                "--mail-from", "dave@example.test", "--mail-rcpt", "dave@example.test", "-T", mail.toString());
        assertThat(sent.exit()).as(sent.out()).isZero();

        Result search = curl("--user", "dave@example.test:dave-password", "imaps://localhost:" + server.imapsPort() + "/INBOX",
                "-X", "SEARCH SUBJECT \"" + token + "\"");
        assertThat(search.exit()).as(search.out()).isZero();
        assertThat(search.out()).matches("(?s).*\\* SEARCH \\d+.*");
        String uid = curl("--user", "dave@example.test:dave-password", "imaps://localhost:" + server.imapsPort() + "/INBOX",
                "-X", "UID SEARCH SUBJECT \"" + token + "\"").out().replaceAll("(?s).*\\* SEARCH (\\d+).*", "$1").trim();

        Result viaImap = curl("--user", "dave@example.test:dave-password",
                "imaps://localhost:" + server.imapsPort() + "/INBOX;UID=" + uid);
        assertThat(viaImap.exit()).as(viaImap.out()).isZero();
        assertThat(viaImap.out()).contains("body " + token);

        Result list = curl("--user", "dave@example.test:dave-password", "pop3s://localhost:" + server.pop3sPort() + "/");
        assertThat(list.exit()).as(list.out()).isZero();
        String last = list.out().strip().lines().reduce((a, b) -> b).orElseThrow().split(" ")[0];
        Result viaPop = curl("--user", "dave@example.test:dave-password", "pop3s://localhost:" + server.pop3sPort() + "/" + last);
        assertThat(viaPop.exit()).as(viaPop.out()).isZero();
        assertThat(viaPop.out()).isEqualTo(viaImap.out());
    }

    @Test
    void startTlsPortsRequireTlsBeforeCredentials() throws Exception {
        // With --ssl-reqd curl upgrades with STARTTLS/STLS and must succeed.
        Result imap = curl("--ssl-reqd", "--user", "dave@example.test:dave-password", "imap://localhost:" + server.imapPort() + "/");
        assertThat(imap.exit()).as(imap.out()).isZero();
        assertThat(imap.out()).contains("INBOX");
        Result pop = curl("--ssl-reqd", "--user", "dave@example.test:dave-password", "pop3://localhost:" + server.pop3Port() + "/");
        assertThat(pop.exit()).as(pop.out()).isZero();
        // Without TLS, the server must refuse to take the password (curl reports a login failure).
        Result plainImap = curl("--user", "dave@example.test:dave-password", "imap://localhost:" + server.imapPort() + "/");
        assertThat(plainImap.exit()).as(plainImap.out()).isNotZero();
        Result plainPop = curl("--user", "dave@example.test:dave-password", "pop3://localhost:" + server.pop3Port() + "/");
        assertThat(plainPop.exit()).as(plainPop.out()).isNotZero();
    }
}

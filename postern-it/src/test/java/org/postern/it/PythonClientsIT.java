// SPDX-License-Identifier: Apache-2.0
package org.postern.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.testkit.TestServer;

/** Python's smtplib, imaplib and poplib against every port. The script is in test resources. */
class PythonClientsIT {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("carol@example.test", "carol-password");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void standardLibraryClientsWork() throws Exception {
        Path script = Files.createTempFile("clients", ".py");
        try (var in = getClass().getResourceAsStream("/python/clients.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(List.of("python3", script.toString(), server.certificatePem().toString(),
                String.valueOf(server.submissionPort()), String.valueOf(server.imapsPort()), String.valueOf(server.imapPort()),
                String.valueOf(server.pop3sPort()), String.valueOf(server.pop3Port()), "carol@example.test", "carol-password"))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("smtplib: sent", "imaplib: found", "imaplib: STARTTLS", "poplib: RETR");
    }
}

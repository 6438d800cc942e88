// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The forked server: really a separate process, survives kill -9 with its data, stops on SIGTERM. */
class ForkedServerTest {

    @Test
    void killRestartAndStop() throws Exception {
        try (ForkedServer server = TestServer.forkProcess()) {
            assertThat(server.pid()).isNotEqualTo(ProcessHandle.current().pid());
            server.createUser("bob@example.test", "pw");
            try (RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
                c.expect("* OK");
            }
            server.kill();
            assertThat(server.isAlive()).isFalse();
            server.restart();
            try (RawClient c = RawClient.connect(server.host(), server.smtpPort())) {
                c.expect("220 ");
                c.send("EHLO client.example");
                c.readUntil("250 ");
                c.send("MAIL FROM:<x@remote.example>");
                c.expect("250");
                // the account created before kill -9 is still there
                c.send("RCPT TO:<bob@example.test>");
                c.expect("250");
            }
            assertThat(server.output()).contains("Listening on 127.0.0.1");
            server.stop();
            assertThat(server.isAlive()).isFalse();
            assertThat(server.output()).contains("Postern stopped");
        }
    }
}

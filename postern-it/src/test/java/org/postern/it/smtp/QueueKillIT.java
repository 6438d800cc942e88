// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.sqlite.SqliteMailStore;
import org.postern.testkit.ForkedServer;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * The sending server is killed with SIGKILL while the remote MX holds the end of its data section:
 * nothing was acknowledged, so after a restart the message goes out again, and exactly once.
 * (The window that can duplicate, between the remote's "250" and our commit, is not hit here.)
 */
class QueueKillIT {
    @TempDir
    Path data;

    @Test
    void killMidDeliveryLosesNothingAndSendsOnce() throws Exception {
        try (FakeDns dns = FakeDns.start();
                SmtpSink sink = SmtpSink.start(new SmtpSink.Script() {
                    @Override
                    public boolean hold(int session) {
                        return session == 1;
                    }
                })) {
            dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1");
            try (ForkedServer server = TestServer.forkProcess(data, null,
                    c -> c.withOutbound(OutboundRelayIT.relayVia(dns, sink.port())))) {
                server.createUser("alice@example.test", "secret");
                OutboundRelayIT.submit(server.host(), server.submissionPort(), server.sslContext(), "alice@example.test",
                        "secret", List.of("dave@remote.test"), "Subject: survive\r\n\r\nbody\r\n");
                OutboundRelayIT.await(() -> sink.holding() == 1, "the first attempt to reach the end of data");
                server.kill();
                OutboundRelayIT.await(() -> sink.holding() == 0, "the sink to see the connection drop");
                assertThat(sink.accepted()).isEmpty();

                server.restart();
                OutboundRelayIT.await(() -> sink.accepted().size() == 1, "the delivery after the restart");
                try (SqliteMailStore store = SqliteMailStore.open(data)) {
                    OutboundRelayIT.await(() -> store.queue().list().isEmpty(), "the queue to drain");
                }
                assertThat(sink.accepted()).hasSize(1);
                assertThat(sink.accepted().get(0).recipients()).containsExactly("dave@remote.test");
                assertThat(sink.accepted().get(0).data()).contains("Subject: survive");
            }
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 3501 §5.4 / RFC 9051 §5.4: a session silent past its timer is logged out, with an untagged BYE
 * saying why (as Dovecot's "Disconnected for inactivity"), then the connection closes. Timers here
 * are short; the defaults are one minute before login and 30 minutes after.
 */
class AutologoutTest {
    @TempDir
    Path dir;

    @Test
    void silentBeforeLoginGetsByeThenClose() throws Exception {
        try (ImapFixture f = new ImapFixture(dir, c -> c.withTimeouts(Duration.ofMillis(600), Duration.ofMinutes(30)));
                ImapClient fresh = new ImapClient(f.listener.port())) {
            fresh.timeout(5_000);
            assertThat(fresh.line()).startsWith("* OK ");
            long start = System.nanoTime();
            assertThat(fresh.line()).isEqualTo("* BYE Autologout; no login in time");
            assertThat(fresh.line()).isNull();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(500).toNanos());
        }
    }

    @Test
    void silentAfterLoginGetsBye() throws Exception {
        try (ImapFixture f = new ImapFixture(dir, c -> c.withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(700)));
                ImapFixture.Session s = f.login()) {
            s.cmd("n NOOP");
            s.client.timeout(5_000);
            long start = System.nanoTime();
            assertThat(s.client.line()).isEqualTo("* BYE Autologout; idle for too long");
            assertThat(s.client.line()).isNull();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(600).toNanos());
        }
    }
}

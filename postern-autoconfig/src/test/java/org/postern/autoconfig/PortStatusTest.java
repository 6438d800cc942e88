// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortStatusTest {

    /** A clock the test moves by hand. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-27T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void openAndClosedPortsAreReportedAndCachedForThirtySeconds() throws Exception {
        StepClock clock = new StepClock();
        int closed = freePort();
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PortStatus status = new PortStatus(InetAddress.getByName("0.0.0.0"), List.of(
                    new PortStatus.Port("imaps", open.getLocalPort(), PortStatus.Security.IMPLICIT_TLS),
                    new PortStatus.Port("imap", closed, PortStatus.Security.STARTTLS)), clock);
            assertThat(status.json()).isEqualTo("[{\"name\":\"imaps\",\"port\":" + open.getLocalPort()
                    + ",\"security\":\"implicit-tls\",\"open\":true},{\"name\":\"imap\",\"port\":" + closed
                    + ",\"security\":\"starttls\",\"open\":false}]");
            open.close();
            clock.now = clock.now.plusSeconds(29);
            assertThat(status.results().get(0).open()).as("still the cached answer").isTrue();
            clock.now = clock.now.plusSeconds(1);
            assertThat(status.results().get(0).open()).as("probed again").isFalse();
        }
    }
}

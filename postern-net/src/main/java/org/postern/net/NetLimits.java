// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.time.Duration;

/**
 * Per-listener bounds: concurrent connections in all and per client address, the TLS handshake
 * deadline, and the idle read timeout. Defaults follow HOSTILE.md's limits table (Postfix allows 50
 * connections per client; RFC 5321 §4.5.3.2.7 asks for at least 5 minutes of idle time).
 */
public record NetLimits(int maxConnections, int maxPerAddress, Duration handshakeTimeout, Duration idleTimeout) {
    public static final NetLimits DEFAULT = new NetLimits(10_000, 50, Duration.ofSeconds(30), Duration.ofMinutes(5));
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import java.time.Duration;

/**
 * Per-listener bounds: concurrent connections in all and per client address, the TLS handshake
 * deadline, the idle read timeout, and how long one write may wait for a peer that does not read.
 * Defaults follow HOSTILE.md's limits table (Postfix allows 50 connections per client; RFC 5321
 * §4.5.3.2.7 asks for at least 5 minutes of idle time; A45: a slow reader is dropped).
 */
public record NetLimits(int maxConnections, int maxPerAddress, Duration handshakeTimeout, Duration idleTimeout,
        Duration writeTimeout) {
    public static final NetLimits DEFAULT = new NetLimits(10_000, 50, Duration.ofSeconds(30), Duration.ofMinutes(5));

    /** With the write timeout equal to the idle timeout. */
    public NetLimits(int maxConnections, int maxPerAddress, Duration handshakeTimeout, Duration idleTimeout) {
        this(maxConnections, maxPerAddress, handshakeTimeout, idleTimeout, idleTimeout);
    }
}

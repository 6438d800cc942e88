// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Where and how the HTTP server listens. Port 0 picks any free port; {@code httpPort} -1 disables the
 * plain redirector.
 *
 * @param maxBodyBytes the largest request body any handler may receive (uploads included); handlers
 *     may enforce smaller limits of their own
 * @param maxHeaderBytes the request line plus headers
 * @param idleTimeout silence after which a connection is closed (between bytes)
 * @param maxConnections open connections over both ports; past it the server stops accepting
 * @param maxConnectionsPerAddress open connections from one client address (HOSTILE.md A45/A46)
 * @param headerTimeout the whole request line and header block of one HTTP/1.1 request must arrive
 *     within this, however slowly the bytes trickle (slowloris, HOSTILE.md A45)
 * @param handshakeTimeout the TLS handshake must finish within this (HOSTILE.md A44)
 */
public record HttpConfig(InetAddress address, int httpsPort, int httpPort, long maxBodyBytes, int maxHeaderBytes,
        Duration idleTimeout, Duration hstsMaxAge, int maxConnections, int maxConnectionsPerAddress,
        Duration headerTimeout, Duration handshakeTimeout) {
    public static final long DEFAULT_MAX_BODY = 50L << 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Browsers open 6 HTTP/1.1 connections per origin; a few users behind one NAT still fit. */
    public static final int DEFAULT_MAX_PER_ADDRESS = 64;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

    public HttpConfig {
        if (maxBodyBytes <= 0 || maxHeaderBytes <= 0 || maxConnections <= 0 || maxConnectionsPerAddress <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero() || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** The connection limits and deadlines at their defaults. */
    public HttpConfig(InetAddress address, int httpsPort, int httpPort, long maxBodyBytes, int maxHeaderBytes,
            Duration idleTimeout, Duration hstsMaxAge) {
        this(address, httpsPort, httpPort, maxBodyBytes, maxHeaderBytes, idleTimeout, hstsMaxAge, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_PER_ADDRESS, DEFAULT_HEADER_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    public static HttpConfig defaults(InetAddress address, int httpsPort, int httpPort) {
        return new HttpConfig(address, httpsPort, httpPort, DEFAULT_MAX_BODY, 16 * 1024, Duration.ofMinutes(2),
                Duration.ofDays(365));
    }

    public HttpConfig withConnectionLimits(int maxConnections, int maxConnectionsPerAddress) {
        return new HttpConfig(address, httpsPort, httpPort, maxBodyBytes, maxHeaderBytes, idleTimeout, hstsMaxAge,
                maxConnections, maxConnectionsPerAddress, headerTimeout, handshakeTimeout);
    }

    public HttpConfig withDeadlines(Duration headerTimeout, Duration handshakeTimeout) {
        return new HttpConfig(address, httpsPort, httpPort, maxBodyBytes, maxHeaderBytes, idleTimeout, hstsMaxAge,
                maxConnections, maxConnectionsPerAddress, headerTimeout, handshakeTimeout);
    }
}

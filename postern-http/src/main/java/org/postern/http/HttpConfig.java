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
 */
public record HttpConfig(InetAddress address, int httpsPort, int httpPort, long maxBodyBytes, int maxHeaderBytes,
        Duration idleTimeout, Duration hstsMaxAge) {
    public static final long DEFAULT_MAX_BODY = 50L << 20;

    public HttpConfig {
        if (maxBodyBytes <= 0 || maxHeaderBytes <= 0) throw new IllegalArgumentException("limits must be positive");
    }

    public static HttpConfig defaults(InetAddress address, int httpsPort, int httpPort) {
        return new HttpConfig(address, httpsPort, httpPort, DEFAULT_MAX_BODY, 16 * 1024, Duration.ofMinutes(5),
                Duration.ofDays(365));
    }
}

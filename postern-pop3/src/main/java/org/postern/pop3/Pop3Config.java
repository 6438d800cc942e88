// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.time.Duration;

/**
 * One POP3 listener's behaviour. {@code implicitTls} is true on port 995 (RFC 8314), where the
 * listener has finished the handshake before the greeting and STLS is not offered.
 *
 * @param idleTimeout RFC 1939 §3: the inactivity autologout timer is at least 10 minutes
 * @param maxErrors consecutive -ERR replies after which the session is closed
 */
public record Pop3Config(String hostname, boolean implicitTls, boolean allowPlaintextAuth, Duration idleTimeout,
        int maxErrors) {
    public Pop3Config {
        if (hostname == null || hostname.isBlank()) throw new IllegalArgumentException("hostname required");
        if (maxErrors < 1) throw new IllegalArgumentException("maxErrors must be positive");
    }

    public static Pop3Config defaults(String hostname, boolean implicitTls) {
        return new Pop3Config(hostname, implicitTls, false, Duration.ofMinutes(10), 20);
    }

    public Pop3Config withAllowPlaintextAuth(boolean allow) {
        return new Pop3Config(hostname, implicitTls, allow, idleTimeout, maxErrors);
    }

    public Pop3Config withIdleTimeout(Duration timeout) {
        return new Pop3Config(hostname, implicitTls, allowPlaintextAuth, timeout, maxErrors);
    }

    public Pop3Config withMaxErrors(int max) {
        return new Pop3Config(hostname, implicitTls, allowPlaintextAuth, idleTimeout, max);
    }
}

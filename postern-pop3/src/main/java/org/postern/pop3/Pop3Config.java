// SPDX-License-Identifier: Apache-2.0
package org.postern.pop3;

import java.time.Duration;

/**
 * One POP3 listener's behaviour. {@code implicitTls} is true on port 995 (RFC 8314), where the
 * listener has finished the handshake before the greeting and STLS is not offered.
 *
 * @param idleTimeout RFC 1939 §3: the inactivity autologout timer is at least 10 minutes
 * @param maxErrors consecutive -ERR replies after which the session is closed
 * @param loginIdleTimeout how long a client that has not logged in may stay silent; shorter than
 *     {@code idleTimeout}, which RFC 1939 §3 asks for logged-in users only
 * @param loginDeadline how long the whole AUTHORIZATION state may last, however slowly the client
 *     trickles bytes in (HOSTILE.md A45: a per-read timeout alone never ends a slowloris)
 */
public record Pop3Config(String hostname, boolean implicitTls, boolean allowPlaintextAuth, Duration idleTimeout,
        int maxErrors, Duration loginIdleTimeout, Duration loginDeadline) {
    public Pop3Config {
        if (hostname == null || hostname.isBlank()) throw new IllegalArgumentException("hostname required");
        if (maxErrors < 1) throw new IllegalArgumentException("maxErrors must be positive");
        if (loginIdleTimeout.isNegative() || loginIdleTimeout.isZero() || loginDeadline.isNegative()
                || loginDeadline.isZero()) {
            throw new IllegalArgumentException("login timeouts must be positive");
        }
    }

    /** Dovecot's pre-login limits: 60 s of silence, 3 minutes in all. */
    public static Pop3Config defaults(String hostname, boolean implicitTls) {
        return new Pop3Config(hostname, implicitTls, false, Duration.ofMinutes(10), 20, Duration.ofSeconds(60),
                Duration.ofMinutes(3));
    }

    public Pop3Config withAllowPlaintextAuth(boolean allow) {
        return new Pop3Config(hostname, implicitTls, allow, idleTimeout, maxErrors, loginIdleTimeout, loginDeadline);
    }

    public Pop3Config withIdleTimeout(Duration timeout) {
        return new Pop3Config(hostname, implicitTls, allowPlaintextAuth, timeout, maxErrors, loginIdleTimeout,
                loginDeadline);
    }

    public Pop3Config withMaxErrors(int max) {
        return new Pop3Config(hostname, implicitTls, allowPlaintextAuth, idleTimeout, max, loginIdleTimeout,
                loginDeadline);
    }

    public Pop3Config withLoginTimeouts(Duration idle, Duration deadline) {
        return new Pop3Config(hostname, implicitTls, allowPlaintextAuth, idleTimeout, maxErrors, idle, deadline);
    }
}

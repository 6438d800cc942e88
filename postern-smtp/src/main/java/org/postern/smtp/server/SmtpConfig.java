// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

import java.time.Duration;

/**
 * How one SMTP listener behaves. Defaults follow HOSTILE.md's limits table and RFC 5321 §4.5.3.
 *
 * @param hostname the name in the greeting, EHLO answer and Received: header
 * @param maxMessageSize advertised as SIZE and enforced while streaming (RFC 1870)
 * @param maxRecipients RCPT beyond this get 452 4.5.3 (RFC 5321 §4.5.3.1.8 asks for at least 100)
 * @param allowPlaintextAuth advertise and accept AUTH without TLS (only by explicit configuration)
 * @param authOnMx offer AUTH on the MX port too (after TLS), so a user may relay through port 25
 * @param idleTimeout how long a read may wait (RFC 5321 §4.5.3.2.7: at least 5 minutes)
 * @param maxSessionDuration the whole session's bound, against slow-drip clients
 * @param preGreetingDelay in MX mode, how long to wait for clients that talk before the greeting
 *     (HOSTILE A14); zero turns the check off
 * @param maxErrors error replies after which the session is ended with 421
 * @param maxTooLongLines over-long command lines after which the session is ended with 421 (A09)
 * @param tlsHandshakeTimeout bound of the STARTTLS handshake
 * @param maxFutureRelease the longest hold a submission client may ask for (RFC 4865 FUTURERELEASE,
 *     offered on the submission ports only); zero to offer none
 */
public record SmtpConfig(String hostname, Mode mode, long maxMessageSize, int maxRecipients, boolean allowPlaintextAuth,
        boolean authOnMx, Duration idleTimeout, Duration maxSessionDuration, Duration preGreetingDelay, int maxErrors,
        int maxTooLongLines, Duration tlsHandshakeTimeout, Duration maxFutureRelease) {
    /** The FUTURERELEASE maximum of submission listeners unless configured otherwise. */
    public static final Duration DEFAULT_MAX_FUTURE_RELEASE = Duration.ofDays(30);


    /** The three faces of SMTP (DESIGN.md §1; RFC 6409 submission, RFC 8314 implicit TLS). */
    public enum Mode {
        MX(25, false), SUBMISSION(587, false), SUBMISSIONS(465, true);

        private final int defaultPort;
        private final boolean implicitTls;

        Mode(int defaultPort, boolean implicitTls) {
            this.defaultPort = defaultPort;
            this.implicitTls = implicitTls;
        }

        public int defaultPort() {
            return defaultPort;
        }

        /** The Listener must do the TLS handshake before the session starts (RFC 8314 §3.3). */
        public boolean implicitTls() {
            return implicitTls;
        }

        public boolean isSubmission() {
            return this != MX;
        }
    }

    public static final long DEFAULT_MAX_MESSAGE_SIZE = 50L * 1024 * 1024;

    public SmtpConfig {
        if (hostname == null || hostname.isBlank()) throw new IllegalArgumentException("hostname required");
        if (maxRecipients < 1) throw new IllegalArgumentException("maxRecipients must be positive");
        if (maxMessageSize < 1) throw new IllegalArgumentException("maxMessageSize must be positive");
        if (maxFutureRelease == null || maxFutureRelease.isNegative()) maxFutureRelease = Duration.ZERO;
    }

    public static SmtpConfig defaults(String hostname, Mode mode) {
        return new SmtpConfig(hostname, mode, DEFAULT_MAX_MESSAGE_SIZE, 100, false, false, Duration.ofMinutes(5),
                Duration.ofMinutes(60), mode == Mode.MX ? Duration.ofMillis(300) : Duration.ZERO, 20, 3,
                Duration.ofSeconds(30), mode.isSubmission() ? DEFAULT_MAX_FUTURE_RELEASE : Duration.ZERO);
    }

    public SmtpConfig withMaxFutureRelease(Duration v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, authOnMx, idleTimeout,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout, v);
    }

    /** Whether FUTURERELEASE is offered (RFC 4865 §2: a submission service extension). */
    public boolean offersFutureRelease() {
        return mode.isSubmission() && maxFutureRelease.isPositive();
    }

    public SmtpConfig withAllowPlaintextAuth(boolean v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, v, authOnMx, idleTimeout,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withMaxMessageSize(long v) {
        return new SmtpConfig(hostname, mode, v, maxRecipients, allowPlaintextAuth, authOnMx, idleTimeout,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withMaxRecipients(int v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, v, allowPlaintextAuth, authOnMx, idleTimeout,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withAuthOnMx(boolean v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, v, idleTimeout,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withIdleTimeout(Duration v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, authOnMx, v,
                maxSessionDuration, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withMaxSessionDuration(Duration v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, authOnMx, idleTimeout,
                v, preGreetingDelay, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withPreGreetingDelay(Duration v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, authOnMx, idleTimeout,
                maxSessionDuration, v, maxErrors, maxTooLongLines, tlsHandshakeTimeout,
                maxFutureRelease);
    }

    public SmtpConfig withMaxErrors(int v) {
        return new SmtpConfig(hostname, mode, maxMessageSize, maxRecipients, allowPlaintextAuth, authOnMx, idleTimeout,
                maxSessionDuration, preGreetingDelay, v, maxTooLongLines, tlsHandshakeTimeout, maxFutureRelease);
    }
}

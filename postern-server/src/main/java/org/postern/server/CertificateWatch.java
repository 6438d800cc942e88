// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postern.net.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns before the served certificate expires, whoever provides it (ACME or the admin's files): a
 * log WARN at start and at every check while it is within {@link #WARN_BEFORE} of expiry, and the
 * same text for the admin page. It reads the certificate the listeners serve right now, so a renewal
 * or a replaced file ends the warning at the next check.
 */
public final class CertificateWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CertificateWatch.class);
    public static final Duration WARN_BEFORE = Duration.ofDays(14);
    static final Duration INTERVAL = Duration.ofHours(12);

    /** What the admin page shows about the served certificate. */
    public record Status(String subject, String issuer, Instant notAfter, long daysLeft, Optional<String> warning) {}

    private final TlsContext tls;
    private final Clock clock;
    private final boolean acme;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Thread thread;

    CertificateWatch(TlsContext tls, Clock clock, boolean acme) {
        this.tls = tls;
        this.clock = clock;
        this.acme = acme;
    }

    /** Checks now (so the start log has the warning), then every {@link #INTERVAL} on a virtual thread. */
    static CertificateWatch start(TlsContext tls, Clock clock, boolean acme) {
        CertificateWatch w = new CertificateWatch(tls, clock, acme);
        w.check();
        w.thread = Thread.ofVirtual().name("certificate-watch").start(() -> {
            try {
                while (!w.stop.await(INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) w.check();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return w;
    }

    public Status status() {
        X509Certificate c = tls.certificate();
        Instant now = clock.instant();
        Instant notAfter = c.getNotAfter().toInstant();
        long days = Duration.between(now, notAfter).toDays();
        Optional<String> warning = Optional.empty();
        String fix = acme ? "ACME renewal has not succeeded; look for 'ACME:' lines in the log (is the CA able to reach"
                + " this server on port 80, or 443 for tls-alpn-01?)"
                : "put a renewed certificate into the tls_cert/tls_key files; Postern picks it up without a restart";
        if (now.isAfter(notAfter)) {
            warning = Optional.of("the TLS certificate expired on " + notAfter + ": clients refuse to connect; " + fix);
        } else if (Duration.between(now, notAfter).compareTo(WARN_BEFORE) < 0) {
            warning = Optional.of("the TLS certificate expires in " + days + (days == 1 ? " day" : " days") + " (" + notAfter + "); " + fix);
        }
        return new Status(c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(), notAfter, days, warning);
    }

    void check() {
        status().warning().ifPresent(w -> log.warn("{}", w));
    }

    @Override
    public void close() {
        stop.countDown();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

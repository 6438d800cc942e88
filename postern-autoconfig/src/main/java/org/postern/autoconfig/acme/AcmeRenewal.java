// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the certificate fresh while the server runs: checks at start and then every
 * {@code interval}, and obtains a new certificate when {@link AcmeClient#due} says so. A failure is
 * logged and retried at the next check; the current certificate stays in use meanwhile. Warns in
 * the log when the certificate gets within 14 days of expiry.
 */
public final class AcmeRenewal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AcmeRenewal.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(12);
    static final Duration WARN_BEFORE = Duration.ofDays(14);

    private final AcmeClient client;
    private final Clock clock;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile int attempts;

    private AcmeRenewal(AcmeClient client, Clock clock, Duration interval) {
        this.client = client;
        this.clock = clock;
        this.interval = interval;
        this.thread = Thread.ofVirtual().name("acme-renewal").unstarted(this::loop);
    }

    public static AcmeRenewal start(AcmeClient client, Clock clock, Duration interval) {
        AcmeRenewal r = new AcmeRenewal(client, clock, interval);
        r.thread.start();
        return r;
    }

    /** How many times a new certificate was asked for (for tests and the admin page). */
    public int attempts() {
        return attempts;
    }

    /** One check; true when a new certificate was installed. */
    public boolean checkOnce() {
        if (!client.due(clock.instant())) return false;
        attempts++;
        try {
            client.obtain();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.warn("ACME: could not get a certificate for {} from {}: {}; retrying in {}", client.config().domains(),
                    client.config().directory(), e.getMessage(), interval);
            warnIfExpiring();
            return false;
        }
    }

    private void warnIfExpiring() {
        try {
            var leaf = AcmeClient.readLeaf(client.config().certificate());
            Duration left = Duration.between(clock.instant(), leaf.getNotAfter().toInstant());
            if (left.compareTo(WARN_BEFORE) < 0) {
                log.warn("the TLS certificate expires in {} days ({}) and could not be renewed", left.toDays(), leaf.getNotAfter());
            }
        } catch (java.io.IOException e) {
            log.warn("no readable TLS certificate at {}", client.config().certificate());
        }
    }

    private void loop() {
        try {
            do {
                checkOnce();
            } while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop.countDown();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

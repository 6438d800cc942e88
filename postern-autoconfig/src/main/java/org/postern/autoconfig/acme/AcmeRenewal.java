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
    /** After a failed attempt, the next comes sooner than the regular check, doubling up to it. */
    static final Duration FIRST_RETRY = Duration.ofMinutes(5);

    private final java.util.function.Supplier<AcmeClient> clients;
    private final Clock clock;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile int attempts;
    private volatile boolean lastFailed;

    private AcmeRenewal(java.util.function.Supplier<AcmeClient> clients, Clock clock, Duration interval) {
        this.clients = clients;
        this.clock = clock;
        this.interval = interval;
        this.thread = Thread.ofVirtual().name("acme-renewal").unstarted(this::loop);
    }

    public static AcmeRenewal start(AcmeClient client, Clock clock, Duration interval) {
        return start(() -> client, clock, interval);
    }

    /**
     * @param clients asked before every check, so the names follow the configuration (a domain added
     *     while the server runs is in the next certificate); may throw to skip a check
     */
    public static AcmeRenewal start(java.util.function.Supplier<AcmeClient> clients, Clock clock, Duration interval) {
        AcmeRenewal r = new AcmeRenewal(clients, clock, interval);
        r.thread.start();
        return r;
    }

    /** How many times a new certificate was asked for (for tests and the admin page). */
    public int attempts() {
        return attempts;
    }

    /** One check; true when a new certificate was installed. */
    public boolean checkOnce() {
        AcmeClient client;
        try {
            client = clients.get();
        } catch (RuntimeException e) {
            log.warn("ACME: no renewal check: {}", e.getMessage());
            lastFailed = true;
            return false;
        }
        if (!client.due(clock.instant())) {
            lastFailed = false;
            return false;
        }
        attempts++;
        lastFailed = true;
        try {
            client.obtain();
            lastFailed = false;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.warn("ACME: could not get a certificate for {} from {}: {}; trying again later", client.config().domains(),
                    client.config().directory(), e.getMessage());
            warnIfExpiring(client);
            return false;
        }
    }

    private void warnIfExpiring(AcmeClient client) {
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
            Duration retry = FIRST_RETRY;
            while (true) {
                checkOnce();
                // A CA or network hiccup at start should not leave the placeholder certificate up for
                // half a day; backing off keeps well inside the CA's failed-validation limits.
                Duration wait = interval;
                if (lastFailed) {
                    wait = retry.compareTo(interval) < 0 ? retry : interval;
                    retry = retry.multipliedBy(2);
                } else {
                    retry = FIRST_RETRY;
                }
                if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS)) return;
            }
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

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
    private volatile Failure lastError;

    /** Why the last check or attempt failed, and when: for {@code postern doctor}'s page and the admin. */
    public record Failure(java.time.Instant at, String message) {}

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

    /** The failure of the last check, if it failed; empty after a check that found nothing due or renewed. */
    public java.util.Optional<Failure> lastError() {
        return java.util.Optional.ofNullable(lastError);
    }

    /**
     * The file beside the ACME account key where the last failure is kept, so {@code postern doctor},
     * a separate process, can show it; deleted after a success.
     */
    public static java.nio.file.Path lastErrorFile(java.nio.file.Path acmeDir) {
        return acmeDir.resolve("last-error.txt");
    }

    /** What {@link #lastErrorFile} holds, if anything readable. */
    public static java.util.Optional<Failure> readLastError(java.nio.file.Path acmeDir) {
        try {
            String text = java.nio.file.Files.readString(lastErrorFile(acmeDir));
            int tab = text.indexOf('\t');
            if (tab < 0 || text.length() > 8192) return java.util.Optional.empty();
            return java.util.Optional.of(new Failure(java.time.Instant.parse(text.substring(0, tab)), text.substring(tab + 1).strip()));
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private void record(AcmeClient client, Failure failure) {
        lastError = failure;
        java.nio.file.Path file = lastErrorFile(client.config().accountKey().toAbsolutePath().getParent());
        try {
            if (failure == null) {
                java.nio.file.Files.deleteIfExists(file);
            } else {
                String m = failure.message().replaceAll("[\\r\\n\\t]+", " ");
                java.nio.file.Files.writeString(file, failure.at() + "\t" + (m.length() > 4000 ? m.substring(0, 4000) : m) + "\n");
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("ACME: cannot record the last error in {}: {}", file, e.toString());
        }
    }

    /** One check; true when a new certificate was installed. */
    public boolean checkOnce() {
        AcmeClient client;
        try {
            client = clients.get();
        } catch (RuntimeException e) {
            log.warn("ACME: no renewal check: {}", e.getMessage());
            lastFailed = true;
            lastError = new Failure(clock.instant(), String.valueOf(e.getMessage()));
            return false;
        }
        if (!client.due(clock.instant())) {
            lastFailed = false;
            record(client, null);
            return false;
        }
        attempts++;
        lastFailed = true;
        try {
            client.obtain();
            lastFailed = false;
            record(client, null);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            record(client, new Failure(clock.instant(), "could not get a certificate for " + String.join(", ", client.config().domains())
                    + " from " + client.config().directory() + ": " + e.getMessage()));
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

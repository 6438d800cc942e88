// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.time.Duration;

/**
 * How the queue runner retries and reports.
 *
 * @param hostname this MTA's name: Reporting-MTA of DSNs and the domain of MAILER-DAEMON
 * @param maxConcurrent deliveries (domain attempts) in flight at once
 * @param maxPerDestination deliveries to the same domain in flight at once
 * @param pollInterval how often due entries are looked for when nobody wakes the runner
 * @param minBackoff first retry delay; later delays grow with the message's age (doubling)
 * @param maxBackoff the longest delay between two attempts
 * @param maxAge when a message still not delivered is returned (RFC 5321 §4.5.4.1: 4-5 days)
 * @param delayWarning when the sender is told the message is still waiting; zero for never
 * @param batchSize entries taken per poll
 * @param smarthost "" when each domain is a destination of its own; else the relay all mail goes
 *     through: an entry's recipients then make one delivery, and {@code maxPerDestination} bounds the
 *     sessions with that relay
 */
public record QueueConfig(String hostname, int maxConcurrent, int maxPerDestination, Duration pollInterval,
        Duration minBackoff, Duration maxBackoff, Duration maxAge, Duration delayWarning, int batchSize,
        String smarthost) {
    public QueueConfig {
        if (hostname == null || hostname.isBlank()) throw new IllegalArgumentException("hostname required");
        if (maxConcurrent < 1 || maxPerDestination < 1 || batchSize < 1) throw new IllegalArgumentException("limits must be positive");
        if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) throw new IllegalArgumentException("backoff");
        if (smarthost == null) smarthost = "";
    }

    public QueueConfig(String hostname, int maxConcurrent, int maxPerDestination, Duration pollInterval,
            Duration minBackoff, Duration maxBackoff, Duration maxAge, Duration delayWarning, int batchSize) {
        this(hostname, maxConcurrent, maxPerDestination, pollInterval, minBackoff, maxBackoff, maxAge, delayWarning,
                batchSize, "");
    }

    public static QueueConfig defaults(String hostname) {
        return new QueueConfig(hostname, 50, 10, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(1),
                Duration.ofDays(5), Duration.ofHours(4), 100);
    }

    public QueueConfig withPollInterval(Duration d) {
        return new QueueConfig(hostname, maxConcurrent, maxPerDestination, d, minBackoff, maxBackoff, maxAge, delayWarning,
                batchSize, smarthost);
    }

    public QueueConfig withBackoff(Duration min, Duration max) {
        return new QueueConfig(hostname, maxConcurrent, maxPerDestination, pollInterval, min, max, maxAge, delayWarning,
                batchSize, smarthost);
    }

    public QueueConfig withMaxAge(Duration d) {
        return new QueueConfig(hostname, maxConcurrent, maxPerDestination, pollInterval, minBackoff, maxBackoff, d,
                delayWarning, batchSize, smarthost);
    }

    public QueueConfig withDelayWarning(Duration d) {
        return new QueueConfig(hostname, maxConcurrent, maxPerDestination, pollInterval, minBackoff, maxBackoff, maxAge, d,
                batchSize, smarthost);
    }

    public QueueConfig withConcurrency(int overall, int perDestination) {
        return new QueueConfig(hostname, overall, perDestination, pollInterval, minBackoff, maxBackoff, maxAge,
                delayWarning, batchSize, smarthost);
    }

    /** Groups every recipient into one delivery to {@code relay} ("" for per-domain delivery). */
    public QueueConfig withSmarthost(String relay) {
        return new QueueConfig(hostname, maxConcurrent, maxPerDestination, pollInterval, minBackoff, maxBackoff, maxAge,
                delayWarning, batchSize, relay);
    }

    /** The delay before the next attempt of a message of this age: its age, within the bounds. */
    public Duration backoff(Duration age) {
        if (age.compareTo(minBackoff) < 0) return minBackoff;
        return age.compareTo(maxBackoff) > 0 ? maxBackoff : age;
    }
}

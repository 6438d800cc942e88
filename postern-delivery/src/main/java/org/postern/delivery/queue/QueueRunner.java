// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.postern.smtp.client.OutboundMessage;
import org.postern.smtp.client.RecipientResult;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.OutboundQueue;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the outbound queue: a poller thread takes due entries, each entry gets a virtual thread, and
 * each destination domain of an entry a virtual thread of its own, bounded by a global and a
 * per-domain semaphore. With a smarthost ({@link QueueConfig#smarthost}) the relay is the only
 * destination: all recipients of an entry go in one delivery. When all domains of an entry have answered, {@link #settle} records the
 * outcome in the store (see the package invariants for the order of commits).
 */
public final class QueueRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    /** Marks, in the entry's last error, that the delay warning went out (the store has no field for it). */
    static final String WARNED = "[delay warning sent] ";

    private final MailStore store;
    private final OutboundQueue queue;
    private final Transport transport;
    private final QueueConfig config;
    private final Clock clock;
    private final BounceSender bounces;
    private final Semaphore overall;
    private final Map<String, Semaphore> perDomain = new ConcurrentHashMap<>();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    /** Polling takes the write lock; re-queueing (insert, defer, delete) the read lock, so no poll sees half. */
    private final ReentrantReadWriteLock pollLock = new ReentrantReadWriteLock();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeUp = wakeLock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread poller;
    private AutoCloseable queuedListener;
    /** Polls done (tests wait for the first before they queue). */
    volatile long polls;

    public QueueRunner(MailStore store, Transport transport, QueueConfig config, Clock clock) {
        this.store = store;
        this.queue = store.queue();
        this.transport = transport;
        this.config = config;
        this.clock = clock;
        this.bounces = new BounceSender(store, config, clock);
        this.overall = new Semaphore(config.maxConcurrent());
    }

    public synchronized void start() {
        if (running) return;
        running = true;
        // New entries are attempted at once, not at the next poll (the poll still catches entries queued by
        // another process, such as the CLI's retry).
        queuedListener = queue.onQueued(this::wake);
        poller = Thread.ofPlatform().daemon().name("postern-queue").start(this::loop);
        log.info("outbound queue runner started");
    }

    /** Looks for due entries now instead of at the next poll (after new mail was queued). */
    public void wake() {
        wakeLock.lock();
        try {
            woken = true;
            wakeUp.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                startDue();
            } catch (RuntimeException e) {
                log.warn("queue poll failed: {}", e.toString());
            }
            polls++;
            wakeLock.lock();
            try {
                if (!woken && running) wakeUp.await(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                wakeLock.unlock();
            }
        }
    }

    /** Starts a worker for each due entry not already in flight; returns the workers started. */
    List<Thread> startDue() {
        List<QueuedMessage> due;
        pollLock.writeLock().lock();
        try {
            due = queue.due(clock.instant(), config.batchSize() + inFlight.size());
            due = due.stream().filter(e -> inFlight.add(e.id())).limit(config.batchSize()).toList();
        } finally {
            pollLock.writeLock().unlock();
        }
        List<Thread> started = new ArrayList<>();
        for (QueuedMessage e : due) {
            Thread t = Thread.ofVirtual().name("postern-queue-" + e.id()).unstarted(() -> {
                try {
                    attempt(e);
                } finally {
                    inFlight.remove(e.id());
                    workers.remove(Thread.currentThread());
                }
            });
            workers.add(t);
            t.start();
            started.add(t);
        }
        return started;
    }

    /** Runs one round synchronously: every due entry is attempted and settled on return (tests). */
    public int runOnce() throws InterruptedException {
        List<Thread> started = startDue();
        for (Thread t : started) t.join();
        return started.size();
    }

    private void attempt(QueuedMessage entry) {
        Instant hold = entry.options().holdUntil();
        if (hold != null && hold.isAfter(clock.instant())) {
            // RFC 4865 §3: not released before its time, whoever made the entry due (an admin's retry).
            try {
                queue.deferred(entry.id(), hold, entry.lastError());
            } catch (RuntimeException e) {
                log.warn("queue entry {}: could not keep it held: {}", entry.id(), e.toString());
            }
            return;
        }
        Map<String, List<String>> byDomain = new LinkedHashMap<>();
        for (String r : entry.recipients()) byDomain.computeIfAbsent(destinationOf(r), d -> new ArrayList<>()).add(r);
        Map<String, List<RecipientResult>> results = new ConcurrentHashMap<>();
        List<Thread> domains = new ArrayList<>();
        for (Map.Entry<String, List<String>> d : byDomain.entrySet()) {
            domains.add(Thread.ofVirtual().name("postern-queue-" + entry.id() + "-" + d.getKey())
                    .start(() -> results.put(d.getKey(), deliver(entry, d.getKey(), d.getValue()))));
        }
        List<RecipientResult> all = new ArrayList<>();
        try {
            for (Thread t : domains) t.join();
        } catch (InterruptedException e) {
            // Shutting down: interrupted socket I/O fails fast; wait for what the attempts learned.
            for (Thread t : domains) t.interrupt();
            for (Thread t : domains) join(t, Duration.ofSeconds(10));
            Thread.currentThread().interrupt();
        }
        for (Map.Entry<String, List<String>> d : byDomain.entrySet()) {
            List<RecipientResult> r = results.get(d.getKey());
            if (r == null || r.size() != d.getValue().size()) {
                r = d.getValue().stream().map(x -> new RecipientResult(x, RecipientResult.Outcome.TEMPORARY, "4.3.0",
                        "delivery attempt interrupted", "", false)).toList();
            }
            all.addAll(r);
        }
        try {
            settle(entry, all, clock.instant());
        } catch (RuntimeException | IOException e) {
            // Nothing recorded: the entry stays as it was and is attempted again.
            log.warn("queue entry {}: recording the attempt failed: {}", entry.id(), e.toString());
        }
    }

    private List<RecipientResult> deliver(QueuedMessage entry, String domain, List<String> recipients) {
        Semaphore mine = perDomain.computeIfAbsent(domain, d -> new Semaphore(config.maxPerDestination()));
        boolean gotOverall = false;
        boolean gotMine = false;
        try {
            overall.acquire();
            gotOverall = true;
            mine.acquire();
            gotMine = true;
            OutboundMessage m = new OutboundMessage(entry.mailFrom(), recipients, () -> store.blobs().open(entry.blobId()),
                    OutboundOptions.forClient(entry, recipients));
            return transport.deliver(domain, m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            log.warn("queue entry {}: delivery to {} failed: {}", entry.id(), domain, e.toString());
            return recipients.stream().map(r -> new RecipientResult(r, RecipientResult.Outcome.TEMPORARY, "4.3.0",
                    "internal error: " + e, "", false)).toList();
        } finally {
            if (gotMine) mine.release();
            if (gotOverall) overall.release();
        }
    }

    /** Records one attempt's results; see the package invariants for why the commits come in this order. */
    void settle(QueuedMessage entry, List<RecipientResult> results, Instant now) throws IOException {
        // A held message (RFC 4865) starts to age, for retries and expiry, when it is released.
        Instant born = released(entry);
        Duration age = Duration.between(born, now);
        boolean expired = age.compareTo(config.maxAge()) >= 0;
        List<RecipientResult> delivered = new ArrayList<>();
        List<RecipientResult> temporary = new ArrayList<>();
        List<RecipientResult> failed = new ArrayList<>();
        for (RecipientResult r : results) {
            switch (r.outcome()) {
                case DELIVERED -> delivered.add(r);
                case PERMANENT -> failed.add(r);
                case TEMPORARY -> {
                    if (expired) {
                        // RFC 3463 4.4.7: delivery time expired; the last reply says why.
                        failed.add(new RecipientResult(r.recipient(), RecipientResult.Outcome.PERMANENT, "4.4.7",
                                "delivery time expired; last error: " + r.diagnostic(), r.remoteMta(), false));
                    } else {
                        temporary.add(r);
                    }
                }
            }
        }
        List<RecipientResult> judged = new ArrayList<>(delivered);
        judged.addAll(failed);
        judged.addAll(temporary);
        List<String> remaining = new ArrayList<>(temporary.stream().map(RecipientResult::recipient).toList());
        // RFC 3461 §4.1: NOTIFY says which reports each recipient's sender wants.
        List<RecipientResult> failureReports = notifying(entry, failed, "FAILURE");
        List<RecipientResult> successReports = delivered.stream()
                .filter(r -> !r.nextHopDsn() && entry.optionsOf(r.recipient()).notifies("SUCCESS")).toList();
        if (!successReports.isEmpty()) {
            try {
                // RFC 3461 §5.2.2: the next hop takes no DSN, so the success is "relayed" from here.
                bounces.send(entry, DsnWriter.Kind.RELAYED, dsnRecipients(entry, successReports));
            } catch (IOException | StoreException e) {
                log.warn("queue entry {}: relayed DSN could not be stored: {}", entry.id(), e.toString());
            }
        }
        if (!failureReports.isEmpty()) {
            try {
                bounces.send(entry, DsnWriter.Kind.FAILURE, dsnRecipients(entry, failureReports));
                log.info("queue entry {}: {} recipient(s) failed permanently", entry.id(), failed.size());
            } catch (IOException | StoreException e) {
                // Without a committed DSN the failed recipients stay queued: they are tried again.
                log.warn("queue entry {}: DSN could not be stored: {}", entry.id(), e.toString());
                for (RecipientResult r : failed) remaining.add(r.recipient());
            }
        }
        boolean warned = entry.lastError() != null && entry.lastError().startsWith(WARNED);
        List<RecipientResult> delayReports = notifying(entry, temporary, "DELAY");
        if (!delayReports.isEmpty() && !warned && !config.delayWarning().isZero() && age.compareTo(config.delayWarning()) >= 0
                && !entry.mailFrom().isEmpty()) {
            try {
                warned = bounces.send(entry, DsnWriter.Kind.DELAY, dsnRecipients(entry, delayReports));
            } catch (IOException | StoreException e) {
                log.warn("queue entry {}: delay warning could not be stored: {}", entry.id(), e.toString());
            }
        }
        if (!delivered.isEmpty()) log.info("queue entry {}: delivered to {}", entry.id(),
                delivered.stream().map(RecipientResult::recipient).toList());
        if (remaining.isEmpty()) {
            queue.delete(entry.id());
            recordForSubmissions(entry, judged, remaining, -1);
            return;
        }
        Instant next = now.plus(config.backoff(age));
        Instant expiry = born.plus(config.maxAge());
        if (next.isAfter(expiry)) next = expiry.isAfter(now) ? expiry : now.plus(config.minBackoff());
        String error = (warned ? WARNED : "") + lastError(results, remaining);
        if (remaining.size() == entry.recipients().size()) {
            queue.deferred(entry.id(), next, error);
            recordForSubmissions(entry, judged, remaining, entry.id());
            return;
        }
        // Some recipients are done: the rest moves to a new entry (same blob, same arrival time), then
        // the old entry goes. A crash between the two commits re-sends to the done ones, never loses.
        pollLock.readLock().lock();
        try {
            long id = store.deliver(new Intake(entry.blobId(), entry.size(), entry.queuedAt(), List.of(),
                    new Intake.Outbound(entry.mailFrom(), remaining, entry.options(),
                            remaining.stream().map(entry::optionsOf).toList()))).queueId();
            queue.deferred(id, next, error);
            queue.delete(entry.id());
            log.info("queue entry {}: {} recipient(s) left, now entry {}", entry.id(), remaining.size(), id);
            recordForSubmissions(entry, judged, remaining, id);
        } finally {
            pollLock.readLock().unlock();
        }
    }

    private static Instant released(QueuedMessage entry) {
        Instant hold = entry.options().holdUntil();
        return hold != null && hold.isAfter(entry.queuedAt()) ? hold : entry.queuedAt();
    }

    /**
     * Tells the JMAP submissions sent through {@code entry} what this attempt learned (RFC 8621 §7
     * deliveryStatus), after the queue's own commits: the queue is the truth, this record a report of it,
     * so a failure here costs a stale status, never a message.
     */
    private void recordForSubmissions(QueuedMessage entry, List<RecipientResult> results, List<String> remaining, long next) {
        try {
            store.submissions().recordDelivery(entry.id(),
                    results.stream().map(r -> SubmissionStatus.of(r, remaining.contains(r.recipient()))).toList(), next);
        } catch (RuntimeException e) {
            log.warn("queue entry {}: submission status not recorded: {}", entry.id(), e.toString());
        }
    }

    private static String lastError(List<RecipientResult> results, List<String> remaining) {
        List<String> parts = new ArrayList<>();
        for (RecipientResult r : results) {
            if (remaining.contains(r.recipient())) parts.add("<" + r.recipient() + ">: " + r.diagnostic());
            if (parts.size() >= 5) break;
        }
        return String.join("; ", parts);
    }

    private static List<RecipientResult> notifying(QueuedMessage entry, List<RecipientResult> results, String event) {
        return results.stream().filter(r -> entry.optionsOf(r.recipient()).notifies(event)).toList();
    }

    private static List<DsnWriter.Recipient> dsnRecipients(QueuedMessage entry, List<RecipientResult> results) {
        return results.stream().map(r -> {
            Intake.RecipientOptions o = entry.optionsOf(r.recipient());
            String original = o.orcpt() == null ? null : o.orcptType() + ";" + o.orcpt();
            return new DsnWriter.Recipient(r.recipient(), r.status(), r.remoteMta(), r.diagnostic(), r.remoteReply(),
                    original);
        }).toList();
    }

    /** The recipient's domain, or the smarthost when all mail goes through one (one session for all). */
    private String destinationOf(String recipient) {
        return config.smarthost().isEmpty() ? domainOf(recipient) : config.smarthost();
    }

    static String domainOf(String recipient) {
        int at = recipient.lastIndexOf('@');
        return at < 0 ? "" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** Stops polling, interrupts attempts in flight and waits for them to record what they know. */
    @Override
    public void close() {
        Thread p;
        synchronized (this) {
            if (!running) return;
            running = false;
            p = poller;
            try {
                if (queuedListener != null) queuedListener.close();
            } catch (Exception e) {
                log.debug("unsubscribing from the queue failed: {}", e.toString());
            }
        }
        wake();
        if (p != null) {
            p.interrupt();
            join(p, Duration.ofSeconds(5));
        }
        for (Thread t : List.copyOf(workers)) t.interrupt();
        for (Thread t : List.copyOf(workers)) join(t, Duration.ofSeconds(10));
        log.info("outbound queue runner stopped");
    }

    private static void join(Thread t, Duration d) {
        try {
            t.join(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

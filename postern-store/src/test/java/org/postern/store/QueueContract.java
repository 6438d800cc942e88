// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbound queue: entries come from deliver, are retried, and survive restarts. */
public abstract class QueueContract extends StoreContract {

    private long enqueue(String subject, Instant at, String... rcpts) {
        String content = message(subject);
        return store.deliver(new Intake(blob(content), content.length(), at, List.of(),
                new Intake.Outbound("sender@example.org", List.of(rcpts)))).queueId();
    }

    @Test
    void entriesAreListedAndDueOldestFirst() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        long a = enqueue("a", t0, "x@remote.net");
        long b = enqueue("b", t0.plusSeconds(1), "y@remote.net", "z@remote.net");
        long c = enqueue("c", t0.plusSeconds(2), "w@remote.net");
        assertThat(store.queue().list()).extracting(OutboundQueue.QueuedMessage::id).containsExactly(a, b, c);
        assertThat(store.queue().due(Instant.now(), 2)).extracting(OutboundQueue.QueuedMessage::id).containsExactly(a, b);
        OutboundQueue.QueuedMessage qb = store.queue().get(b).orElseThrow();
        assertThat(qb.recipients()).containsExactly("y@remote.net", "z@remote.net");
        assertThat(qb.attempts()).isZero();
        assertThat(qb.queuedAt()).isEqualTo(t0.plusSeconds(1));
        assertThat(read(qb.blobId())).isNotEmpty();
        assertThat(qb.size()).isEqualTo(message("b").length());
    }

    @Test
    void deferredEntriesWaitAndRetryNowMakesThemDue() {
        long a = enqueue("a", Instant.now().minusSeconds(5), "x@remote.net");
        Instant later = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        store.queue().deferred(a, later, "451 try again");
        OutboundQueue.QueuedMessage q = store.queue().get(a).orElseThrow();
        assertThat(q.attempts()).isEqualTo(1);
        assertThat(q.lastError()).isEqualTo("451 try again");
        assertThat(q.nextAttempt()).isEqualTo(later);
        assertThat(store.queue().due(Instant.now(), 10)).isEmpty();
        assertThat(store.queue().due(later, 10)).hasSize(1);
        assertThat(store.queue().retryNow(a)).isTrue();
        assertThat(store.queue().due(Instant.now().plusSeconds(1), 10)).hasSize(1);
        assertThat(store.queue().retryNow(424242)).isFalse();
    }

    @Test
    void aHeldEntryIsNotDueBeforeItsReleaseEvenAfterReopenOrRetryNow() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant release = now.plusSeconds(7200);
        String content = message("held");
        long a = store.deliver(new Intake(blob(content), content.length(), now, List.of(),
                new Intake.Outbound("sender@example.org", List.of("x@remote.net"),
                        new Intake.Options(null, null, false, false, release), List.of()))).queueId();
        reopen();
        OutboundQueue.QueuedMessage q = store.queue().get(a).orElseThrow();
        assertThat(q.options().holdUntil()).isEqualTo(release);
        assertThat(q.nextAttempt()).isEqualTo(release);
        assertThat(q.queuedAt()).isEqualTo(now);
        assertThat(store.queue().due(now.plusSeconds(60), 10)).isEmpty();
        assertThat(store.queue().retryNow(a)).isTrue();
        assertThat(store.queue().due(now.plusSeconds(60), 10)).isEmpty();
        assertThat(store.queue().due(release, 10)).extracting(OutboundQueue.QueuedMessage::id).containsExactly(a);
        assertThat(store.queue().get(enqueue("plain", now, "y@remote.net")).orElseThrow().options().holdUntil()).isNull();
    }

    @Test
    void deleteRemovesAnEntry() {
        long a = enqueue("a", Instant.now(), "x@remote.net");
        assertThat(store.queue().delete(a)).isTrue();
        assertThat(store.queue().delete(a)).isFalse();
        assertThat(store.queue().get(a)).isEmpty();
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void queueSurvivesReopen() {
        long a = enqueue("a", Instant.now(), "x@remote.net");
        store.queue().deferred(a, Instant.now().plusSeconds(60), "busy");
        reopen();
        OutboundQueue.QueuedMessage q = store.queue().get(a).orElseThrow();
        assertThat(q.attempts()).isEqualTo(1);
        assertThat(q.lastError()).isEqualTo("busy");
        assertThat(read(q.blobId())).isEqualTo(message("a").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void dsnAndTlsOptionsArePersisted() {
        String content = message("opts");
        Intake.Options options = new Intake.Options("HDRS", "env-42", true, true);
        List<Intake.RecipientOptions> per = List.of(new Intake.RecipientOptions("SUCCESS,DELAY", "rfc822", "Orig@example.org"),
                Intake.RecipientOptions.NONE);
        long id = store.deliver(new Intake(blob(content), content.length(), Instant.now(), List.of(),
                new Intake.Outbound("s@example.org", List.of("x@remote.net", "y@remote.net"), options, per))).queueId();
        reopen();
        OutboundQueue.QueuedMessage q = store.queue().get(id).orElseThrow();
        assertThat(q.options()).isEqualTo(options);
        assertThat(q.recipientOptions()).isEqualTo(per);
        assertThat(q.optionsOf("y@remote.net")).isEqualTo(Intake.RecipientOptions.NONE);
        assertThat(q.optionsOf("x@remote.net").notifies("SUCCESS")).isTrue();
        assertThat(q.optionsOf("y@remote.net").notifies("SUCCESS")).isFalse();
        assertThat(q.optionsOf("y@remote.net").notifies("FAILURE")).isTrue();
    }

    @Test
    void entriesWithoutOptionsReadBackAsNone() {
        long a = enqueue("plain", Instant.now(), "x@remote.net");
        OutboundQueue.QueuedMessage q = store.queue().get(a).orElseThrow();
        assertThat(q.options()).isEqualTo(Intake.Options.NONE);
        assertThat(q.recipientOptions()).containsExactly(Intake.RecipientOptions.NONE);
    }

    @Test
    void queuedListenersHearCommittedEntries() throws Exception {
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        AutoCloseable sub = store.queue().onQueued(heard::incrementAndGet);
        enqueue("w", Instant.now(), "x@remote.net");
        assertThat(heard.get()).isEqualTo(1);
        sub.close();
        enqueue("w2", Instant.now(), "x@remote.net");
        assertThat(heard.get()).isEqualTo(1);
    }
}

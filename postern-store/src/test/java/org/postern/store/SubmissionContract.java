// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.store.SubmissionStore.Submission;

/** Submission records: durable, per account, with change tracking. */
public abstract class SubmissionContract extends StoreContract {
    private static Submission sample(long account) {
        return new Submission(0, account, 7, "e1-2", "t1-2", "alice@example.org",
                List.of("bob@example.org", "carol@remote.example"), List.of("bob@example.org"), 42,
                Instant.parse("2026-11-27T10:00:00Z"), "final");
    }

    @Test
    void recordsSurviveAReopen() {
        long alice = account("alice@example.org").id();
        Submission s = store.submissions().create(sample(alice));
        assertThat(s.id()).isPositive();
        reopen();
        assertThat(store.submissions().get(alice, s.id())).contains(s);
        assertThat(store.submissions().list(alice)).containsExactly(s);
        Submission nullSender = store.submissions().create(new Submission(0, alice, 7, "e1-3", "t1-3", "", List.of("x@y.example"),
                List.of(), -1, Instant.parse("2026-11-27T10:00:00Z"), "pending"));
        assertThat(store.submissions().get(alice, nullSender.id()).orElseThrow().mailFrom()).isEmpty();
        assertThat(store.submissions().get(alice, nullSender.id()).orElseThrow().localRecipients()).isEmpty();
    }

    @Test
    void undoStatusAndDestroyAreTracked() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        long s0 = store.submissions().state(alice);
        Submission s = store.submissions().create(sample(alice).withUndoStatus("pending"));
        long s1 = store.submissions().state(alice);
        assertThat(store.submissions().changes(alice, s0, 100).orElseThrow().created()).containsExactly(s.id());
        assertThat(store.submissions().setUndoStatus(bob, s.id(), "canceled")).isFalse();
        assertThat(store.submissions().setUndoStatus(alice, s.id(), "canceled")).isTrue();
        assertThat(store.submissions().get(alice, s.id()).orElseThrow().undoStatus()).isEqualTo("canceled");
        assertThat(store.submissions().changes(alice, s1, 100).orElseThrow().updated()).containsExactly(s.id());
        assertThat(store.submissions().get(bob, s.id())).isEmpty();
        assertThat(store.submissions().delete(bob, s.id())).isFalse();
        assertThat(store.submissions().delete(alice, s.id())).isTrue();
        assertThat(store.submissions().list(alice)).isEmpty();
        assertThat(store.submissions().changes(alice, s1, 100).orElseThrow().destroyed()).containsExactly(s.id());
        assertThat(store.submissions().changes(alice, s1 + 100, 100)).isEmpty();
    }

    @Test
    void queueResultsBecomeDeliveryStatus() {
        long alice = account("alice@example.org").id();
        Submission s = store.submissions().create(new Submission(0, alice, 7, "e1-4", "t1-4", "alice@example.org",
                List.of("a@remote.example", "b@remote.example", "c@remote.example"), List.of(), 501,
                Instant.parse("2026-11-27T10:00:00Z"), "pending"));
        Submission other = store.submissions().create(sample(alice).withUndoStatus("pending"));
        long s0 = store.submissions().state(alice);
        assertThat(store.submissions().deliveries(alice, s.id())).isEmpty();

        // One recipient waits (451): still pending, now followed in entry 502.
        List<Submission> changed = store.submissions().recordDelivery(501, List.of(
                new SubmissionStore.Delivery("a@remote.example", "queued", "451 4.3.0 try later"),
                new SubmissionStore.Delivery("b@remote.example", "no", "550 5.1.1 no such user")), 502);
        assertThat(changed).extracting(Submission::id).containsExactly(s.id());
        assertThat(changed.get(0).undoStatus()).isEqualTo("pending");
        assertThat(store.submissions().get(alice, s.id()).orElseThrow().queueId()).isEqualTo(502);
        assertThat(store.submissions().changes(alice, s0, 100).orElseThrow().updated()).containsExactly(s.id());
        long s1 = store.submissions().state(alice);

        // The waiting one is relayed later: its result replaces the first; nothing is left to cancel.
        store.submissions().recordDelivery(502, List.of(
                new SubmissionStore.Delivery("a@remote.example", "unknown", "250 2.0.0 queued as X")), -1);
        reopen();
        assertThat(store.submissions().deliveries(alice, s.id())).containsExactly(
                new SubmissionStore.Delivery("a@remote.example", "unknown", "250 2.0.0 queued as X"),
                new SubmissionStore.Delivery("b@remote.example", "no", "550 5.1.1 no such user"));
        Submission now = store.submissions().get(alice, s.id()).orElseThrow();
        assertThat(now.undoStatus()).isEqualTo("final");
        assertThat(now.queueId()).isEqualTo(-1);
        assertThat(store.submissions().changes(alice, s1, 100).orElseThrow().updated()).containsExactly(s.id());
        assertThat(store.submissions().get(alice, other.id()).orElseThrow().undoStatus()).isEqualTo("pending");
        assertThat(store.submissions().recordDelivery(-1, List.of(), -1)).isEmpty();
        assertThat(store.submissions().deliveries(account("bob@example.org").id(), s.id())).isEmpty();

        assertThat(store.submissions().delete(alice, s.id())).isTrue();
        assertThat(store.submissions().deliveries(alice, s.id())).isEmpty();
    }
}

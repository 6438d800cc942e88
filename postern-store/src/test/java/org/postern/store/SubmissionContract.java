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
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Thread ids (RFC 8474 §5.2): assigned once, found from either end, per account, never reused. */
public abstract class ThreadContract extends StoreContract {
    @Test
    void repliesJoinTheirParentsThreadInEitherOrder() {
        long alice = account("alice@example.org").id();
        long inbox = inbox(alice).id();
        String parent = append(alice, inbox, "p").blobId();
        String reply = append(alice, inbox, "r").blobId();
        String other = append(alice, inbox, "o").blobId();
        String late = append(alice, inbox, "l").blobId();
        ThreadStore t = store.threads();
        // The reply is threaded before its parent: the parent still lands in the reply's thread.
        Map<String, Long> first = t.assignThreads(alice, List.of(new ThreadStore.Links(reply, "r@x", List.of("p@x"))));
        Map<String, Long> second = t.assignThreads(alice, List.of(new ThreadStore.Links(parent, "p@x", List.of()),
                new ThreadStore.Links(other, null, List.of()), new ThreadStore.Links(late, "l@x", List.of("p@x", "r@x"))));
        assertThat(second.get(parent)).isEqualTo(first.get(reply)).isEqualTo(second.get(late));
        assertThat(second.get(other)).isNotEqualTo(first.get(reply));
        assertThat(t.threadIds(alice, List.of(parent, other, "nope"))).containsOnlyKeys(parent, other);
        // Assigned ids do not change, whatever is asked later.
        assertThat(t.assignThreads(alice, List.of(new ThreadStore.Links(parent, "p@x", List.of("elsewhere@x")))))
                .isEqualTo(Map.of(parent, first.get(reply)));
        reopen();
        assertThat(store.threads().threadIds(alice, List.of(reply))).isEqualTo(Map.of(reply, first.get(reply)));
    }

    @Test
    void idsArePerAccountAndNeverReused() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        MessageRecord m = append(alice, inbox(alice).id(), "a");
        long first = store.threads().assignThreads(alice, List.of(new ThreadStore.Links(m.blobId(), null, List.of()))).get(m.blobId());
        // Bob's copy of the same body is his own business.
        assertThat(store.threads().threadIds(bob, List.of(m.blobId()))).isEmpty();
        store.mailboxes().expunge(alice, inbox(alice).id(), List.of(m.uid()));
        assertThat(store.threads().threadIds(alice, List.of(m.blobId()))).isEmpty();
        MessageRecord n = append(alice, inbox(alice).id(), "b");
        long next = store.threads().assignThreads(alice, List.of(new ThreadStore.Links(n.blobId(), null, List.of()))).get(n.blobId());
        assertThat(next).isGreaterThan(first);
    }
}

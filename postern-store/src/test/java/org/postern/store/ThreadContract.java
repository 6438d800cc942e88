// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Thread ids (RFC 8474 §5.2): assigned once, when a message is stored (delivery, APPEND), found from
 * either end, per account, never reused.
 */
public abstract class ThreadContract extends StoreContract {
    private static String threaded(String id, String references, String inReplyTo) {
        return "From: a@example.org\r\nMessage-ID: <" + id + ">\r\n"
                + (references == null ? "" : "References: " + references + "\r\n")
                + (inReplyTo == null ? "" : "In-Reply-To: " + inReplyTo + "\r\n")
                + "Subject: s\r\n\r\nbody of " + id + "\r\n";
    }

    private MessageRecord appendRaw(long accountId, long mailboxId, String content) {
        return store.mailboxes().append(accountId, mailboxId, blob(content),
                content.getBytes(StandardCharsets.UTF_8).length, Set.of(), Instant.now());
    }

    private IntakeResult deliver(String content, long... accountIds) {
        List<Intake.Target> to = new java.util.ArrayList<>();
        for (long a : accountIds) to.add(new Intake.Target(a, inbox(a).id(), Set.of()));
        return store.deliver(new Intake(blob(content), content.getBytes(StandardCharsets.UTF_8).length, Instant.now(), to, null));
    }

    @Test
    void repliesJoinTheirParentsThreadInEitherOrder() {
        long alice = account("alice@example.org").id();
        long inbox = inbox(alice).id();
        // The reply is stored before its parent: the parent still lands in the reply's thread.
        String reply = appendRaw(alice, inbox, threaded("r@x", null, "<p@x>")).blobId();
        String parent = appendRaw(alice, inbox, threaded("p@x", null, null)).blobId();
        String other = append(alice, inbox, "o").blobId();
        String late = appendRaw(alice, inbox, threaded("l@x", "<p@x> <r@x>", "<r@x>")).blobId();
        ThreadStore t = store.threads();
        Map<String, Long> ids = t.threadIds(alice, List.of(reply, parent, other, late, "nope"));
        assertThat(ids).containsOnlyKeys(reply, parent, other, late);
        assertThat(ids.get(parent)).isEqualTo(ids.get(reply)).isEqualTo(ids.get(late));
        assertThat(ids.get(other)).isNotEqualTo(ids.get(reply));
        // Assigned ids do not change, whatever is asked later.
        assertThat(t.assignThreads(alice, List.of(new ThreadStore.Links(parent, "p@x", List.of("elsewhere@x")))))
                .isEqualTo(Map.of(parent, ids.get(reply)));
        reopen();
        assertThat(store.threads().threadIds(alice, List.of(reply))).isEqualTo(Map.of(reply, ids.get(reply)));
    }

    @Test
    void aDeliveredMessageHasItsThreadWithoutLazyAssignment() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        String first = deliver(threaded("first@x", null, null), alice, bob).delivered().getFirst().blobId();
        ThreadStore t = store.threads();
        Map<String, Long> a = t.threadIds(alice, List.of(first));
        assertThat(a).containsKey(first);
        assertThat(t.threadIds(bob, List.of(first))).containsKey(first);
        // A reply delivered later joins it; an unrelated message does not.
        String reply = deliver(threaded("second@x", "<first@x>", "<first@x>"), alice).delivered().getFirst().blobId();
        String unrelated = deliver(threaded("third@x", null, null), alice).delivered().getFirst().blobId();
        Map<String, Long> b = t.threadIds(alice, List.of(reply, unrelated));
        assertThat(b.get(reply)).isEqualTo(a.get(first));
        assertThat(b.get(unrelated)).isNotNull().isNotEqualTo(a.get(first));
        // A reply appended (IMAP APPEND, JMAP Email/import) joins too, and copies keep the body's thread.
        long sent = mailbox(alice, "Sent").id();
        MessageRecord appended = appendRaw(alice, sent, threaded("fourth@x", null, "<second@x>"));
        assertThat(t.threadIds(alice, List.of(appended.blobId()))).isEqualTo(Map.of(appended.blobId(), a.get(first)));
        CopyResult copy = store.mailboxes().copy(alice, sent, List.of(appended.uid()), inbox(alice).id());
        assertThat(copy.destUids()).hasSize(1);
        store.mailboxes().expunge(alice, sent, List.of(appended.uid()));
        assertThat(t.threadIds(alice, List.of(appended.blobId()))).isEqualTo(Map.of(appended.blobId(), a.get(first)));
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
        long next = store.threads().threadIds(alice, List.of(n.blobId())).get(n.blobId());
        assertThat(next).isGreaterThan(first);
    }
}

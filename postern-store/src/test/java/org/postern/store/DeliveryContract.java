// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link MailStore#deliver}: one durable, all-or-nothing transaction per accepted message. */
public abstract class DeliveryContract extends StoreContract {

    @Test
    void deliversToEveryTargetInOrderAndQueuesTheRemotePart() {
        long alice = account("alice@example.org").id();
        long bob = account("bob@example.org").id();
        long aliceInbox = inbox(alice).id();
        append(alice, aliceInbox, "earlier");
        String content = message("hello");
        Instant received = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        IntakeResult r = store.deliver(new Intake(blob(content), content.length(), received, List.of(
                new Intake.Target(alice, aliceInbox, Set.of()),
                new Intake.Target(bob, mailbox(bob, "Junk").id(), Set.of("$Junk"))),
                new Intake.Outbound("sender@example.org", List.of("x@remote.net", "y@remote.net"))));
        assertThat(r.delivered()).hasSize(2);
        assertThat(r.delivered().get(0).uid()).isEqualTo(2);
        assertThat(r.delivered().get(1).uid()).isEqualTo(1);
        assertThat(r.delivered().get(1).flags()).containsExactly("$Junk");
        assertThat(r.delivered().get(0).internalDate()).isEqualTo(received);
        assertThat(r.delivered().get(0).size()).isEqualTo(content.length());
        assertThat(r.queueId()).isNotNegative();
        assertThat(store.queue().get(r.queueId())).hasValueSatisfying(q -> {
            assertThat(q.recipients()).containsExactly("x@remote.net", "y@remote.net");
            assertThat(q.mailFrom()).isEqualTo("sender@example.org");
            assertThat(q.blobId()).isEqualTo(r.delivered().get(0).blobId());
        });
        assertThat(mailbox(bob, "Junk").messages()).isEqualTo(1);
    }

    @Test
    void localOnlyDeliveryHasNoQueueEntry() {
        long alice = account("alice@example.org").id();
        String content = message("x");
        IntakeResult r = store.deliver(new Intake(blob(content), content.length(), Instant.now(),
                List.of(new Intake.Target(alice, inbox(alice).id(), Set.of())), null));
        assertThat(r.queueId()).isEqualTo(-1);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void deliveryIsAllOrNothing() {
        long alice = account("alice@example.org").id();
        long aliceInbox = inbox(alice).id();
        String content = message("x");
        Intake bad = new Intake(blob(content), content.length(), Instant.now(), List.of(
                new Intake.Target(alice, aliceInbox, Set.of()), new Intake.Target(alice, 987654, Set.of())),
                new Intake.Outbound("s@example.org", List.of("x@remote.net")));
        assertThatThrownBy(() -> store.deliver(bad)).isInstanceOf(StoreException.class);
        assertThat(inbox(alice).messages()).isZero();
        assertThat(inbox(alice).uidNext()).isEqualTo(1);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void deliveredMessageIsDurableAcrossReopenByteForByte() {
        long alice = account("alice@example.org").id();
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + 7);
        String id = blob(store, body);
        IntakeResult r = store.deliver(new Intake(id, body.length, Instant.now(), List.of(
                new Intake.Target(alice, inbox(alice).id(), Set.of("\\Seen"))), null));
        long uidValidity = inbox(alice).uidValidity();
        reopen();
        MessageRecord m = store.mailboxes().message(alice, inbox(alice).id(), r.delivered().get(0).uid()).orElseThrow();
        assertThat(read(m.blobId())).isEqualTo(body);
        assertThat(m.flags()).containsExactly("\\Seen");
        assertThat(inbox(alice).uidValidity()).isEqualTo(uidValidity);
    }

    @Test
    void concurrentDeliveriesGetUniqueIncreasingUids() throws Exception {
        long alice = account("alice@example.org").id();
        long inboxId = inbox(alice).id();
        int threads = 8;
        int each = 15;
        List<Long> uids = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                fs.add(pool.submit(() -> {
                    long last = 0;
                    for (int i = 0; i < each; i++) {
                        String content = message("t" + n + "-" + i);
                        String id = blob(store, content.getBytes(StandardCharsets.UTF_8));
                        long uid = store.deliver(new Intake(id, content.length(), Instant.now(),
                                List.of(new Intake.Target(alice, inboxId, Set.of())), null)).delivered().get(0).uid();
                        assertThat(uid).isGreaterThan(last); // per thread, in call order
                        last = uid;
                        uids.add(uid);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        assertThat(uids).hasSize(threads * each).doesNotHaveDuplicates();
        MailboxSnapshot s = store.mailboxes().snapshot(alice, inboxId);
        assertThat(s.messages()).hasSize(threads * each);
        assertThat(s.mailbox().uidNext()).isEqualTo(threads * each + 1);
    }

    @Test
    void deliveryFromTwoInstancesOnTheSameDataGetsDistinctUids() {
        long alice = account("alice@example.org").id();
        long inboxId = inbox(alice).id();
        MailStore second = openSecond();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (MailStore s : List.of(store, second)) {
                String content = message("m" + i);
                String id = blob(s, content.getBytes(StandardCharsets.UTF_8));
                uids.add(s.deliver(new Intake(id, content.length(), Instant.now(),
                        List.of(new Intake.Target(alice, inboxId, Set.of())), null)).delivered().get(0).uid());
            }
        }
        assertThat(uids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void deliveryOfAMissingBlobIsRefused() {
        long alice = account("alice@example.org").id();
        assertThatThrownBy(() -> store.deliver(new Intake("0123456789abcdef0123456789abcdef", 10, Instant.now(),
                List.of(new Intake.Target(alice, inbox(alice).id(), Set.of())), null))).isInstanceOf(StoreException.class);
        assertThat(inbox(alice).messages()).isZero();
    }
}

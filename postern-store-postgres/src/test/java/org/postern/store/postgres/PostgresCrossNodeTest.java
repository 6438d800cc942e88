// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.ChangeEvent;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.MessageRecord;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.store.PasswordRecord;

/** Two nodes on one database: changes, queue claims and queue wake-ups cross between them. */
class PostgresCrossNodeTest {
    private MailStore nodeA;
    private MailStore nodeB;

    @BeforeEach
    void open() {
        PostgresConfig db = TestPostgres.fresh();
        nodeA = PostgresMailStore.open(db);
        nodeB = PostgresMailStore.open(db);
    }

    @AfterEach
    void close() {
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
    }

    private static String blob(MailStore s, String content) throws IOException {
        try (var w = s.blobs().create()) {
            try (OutputStream out = w.stream()) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            return w.commit();
        }
    }

    private static boolean waitFor(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    @Test
    void aChangeThroughOneNodeReachesASubscriberOfTheOtherWithinOneSecond() throws Exception {
        nodeA.directory().addDomain("example.org");
        long alice = nodeA.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        long inbox = nodeB.mailboxes().find(alice, "INBOX").orElseThrow().id();
        List<ChangeEvent> seenByB = new CopyOnWriteArrayList<>();
        nodeB.changes().subscribe(alice, seenByB::add);
        String content = "Subject: x\r\n\r\nhi\r\n";
        long t0 = System.nanoTime();
        long uid = nodeA.deliver(new Intake(blob(nodeA, content), content.length(), Instant.now(),
                List.of(new Intake.Target(alice, inbox, Set.of())), null)).delivered().get(0).uid();
        assertThat(waitFor(Duration.ofSeconds(1), () -> seenByB.stream()
                .anyMatch(e -> e.kind() == ChangeEvent.Kind.MESSAGES && e.mailboxId() == inbox))).isTrue();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isLessThan(1_000);
        // What the event announces is readable on B, body included.
        assertThat(nodeB.mailboxes().message(alice, inbox, uid)).isPresent();
        try (var in = nodeB.blobs().open(nodeB.mailboxes().message(alice, inbox, uid).orElseThrow().blobId())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(content);
        }
    }

    @Test
    void twoNodesClaimDisjointQueueEntries() throws Exception {
        int entries = 40;
        Set<Long> queued = new HashSet<>();
        for (int i = 0; i < entries; i++) {
            String content = "Subject: q" + i + "\r\n\r\nx\r\n";
            queued.add(nodeA.deliver(new Intake(blob(nodeA, content), content.length(), Instant.now().minusSeconds(1),
                    List.of(), new Intake.Outbound("s@example.org", List.of("r" + i + "@remote.net")))).queueId());
        }
        Set<Long> claimedByA = ConcurrentHashMap.newKeySet();
        Set<Long> claimedByB = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                MailStore node = t % 2 == 0 ? nodeA : nodeB;
                Set<Long> mine = t % 2 == 0 ? claimedByA : claimedByB;
                fs.add(pool.submit(() -> {
                    start.await();
                    // Like a queue runner: ask for a few more each round (its own claims come back too).
                    for (int round = 1; round <= 10; round++) {
                        for (QueuedMessage q : node.queue().due(Instant.now(), 3 * round)) mine.add(q.id());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
        }
        // Every entry went to exactly one node: none to both, none lost.
        assertThat(claimedByA).doesNotContainAnyElementsOf(claimedByB);
        Set<Long> all = new HashSet<>(claimedByA);
        all.addAll(claimedByB);
        assertThat(all).isEqualTo(queued);
        // A node's claims stay its own until the attempt ends or the lease runs out.
        assertThat(nodeB.queue().due(Instant.now(), 100)).extracting(QueuedMessage::id)
                .containsExactlyInAnyOrderElementsOf(claimedByB);
        long one = claimedByA.iterator().next();
        nodeA.queue().deferred(one, Instant.now().minusSeconds(1), "451 later");
        assertThat(nodeB.queue().due(Instant.now(), 100)).extracting(QueuedMessage::id).contains(one)
                .hasSize(claimedByB.size() + 1);
        Instant afterLease = Instant.now().plus(PostgresConfig.DEFAULT_QUEUE_LEASE).plusSeconds(1);
        assertThat(nodeA.queue().due(afterLease, 100)).hasSize(entries);
    }

    @Test
    void anEntryQueuedOnOneNodeWakesTheQueueRunnerOfTheOther() throws Exception {
        AtomicInteger wokenA = new AtomicInteger();
        AtomicInteger wokenB = new AtomicInteger();
        nodeA.queue().onQueued(wokenA::incrementAndGet);
        nodeB.queue().onQueued(wokenB::incrementAndGet);
        String content = "Subject: w\r\n\r\nx\r\n";
        nodeA.deliver(new Intake(blob(nodeA, content), content.length(), Instant.now(), List.of(),
                new Intake.Outbound("s@example.org", List.of("r@remote.net"))));
        assertThat(wokenA.get()).isEqualTo(1); // at once, on the delivering node
        assertThat(waitFor(Duration.ofSeconds(1), () -> wokenB.get() == 1)).isTrue();
        // The delivering node is not woken a second time by its own notification.
        waitFor(Duration.ofMillis(300), () -> wokenA.get() > 1);
        assertThat(wokenA.get()).isEqualTo(1);
    }

    @Test
    void concurrentDeliveriesToOverlappingRecipientsFromTwoNodes() throws Exception {
        nodeA.directory().addDomain("example.org");
        List<long[]> boxes = new ArrayList<>(); // account, INBOX
        for (String u : List.of("a", "b", "c", "d")) {
            long acc = nodeA.directory().createAccount(u + "@example.org", PasswordRecord.NONE, false).id();
            boxes.add(new long[] {acc, nodeA.mailboxes().find(acc, "INBOX").orElseThrow().id()});
        }
        int perThread = 12;
        Map<Long, List<Long>> uidsByAccount = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                MailStore node = t % 2 == 0 ? nodeA : nodeB;
                int seed = t;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        // Recipient lists in varying orders: lock ordering must keep these from deadlocking.
                        List<long[]> rcpts = new ArrayList<>(boxes);
                        Collections.rotate(rcpts, seed + i);
                        if ((seed + i) % 2 == 0) Collections.reverse(rcpts);
                        rcpts = rcpts.subList(0, 2 + (seed + i) % 3);
                        String content = "Subject: " + seed + "-" + i + "\r\n\r\nx\r\n";
                        List<Intake.Target> targets = rcpts.stream().map(r -> new Intake.Target(r[0], r[1], Set.<String>of())).toList();
                        var result = node.deliver(new Intake(blob(node, content), content.length(), Instant.now(), targets, null));
                        for (int k = 0; k < targets.size(); k++) {
                            uidsByAccount.computeIfAbsent(targets.get(k).accountId(), x -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(result.delivered().get(k).uid());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        }
        for (long[] box : boxes) {
            List<Long> uids = uidsByAccount.getOrDefault(box[0], List.of());
            var snap = nodeB.mailboxes().snapshot(box[0], box[1]);
            // Every acknowledged delivery is there, once, and the counters agree with the rows.
            assertThat(uids).doesNotHaveDuplicates();
            assertThat(snap.messages()).extracting(MessageRecord::uid).containsExactlyInAnyOrderElementsOf(uids);
            assertThat(snap.mailbox().messages()).isEqualTo(uids.size());
            assertThat(snap.mailbox().uidNext()).isEqualTo(uids.size() + 1);
        }
    }
}

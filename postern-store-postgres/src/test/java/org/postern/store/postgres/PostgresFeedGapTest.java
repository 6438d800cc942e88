// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.store.ChangeEvent;
import org.postern.store.Intake;
import org.postern.store.MailStore;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.store.PasswordRecord;

/**
 * What happens when a node's LISTEN connection breaks (PostgreSQL restarted, a proxy dropped it, an
 * operator ran pg_terminate_backend): changes committed before it listens again are made up for by a
 * resync; and what happens when a node dies: its queue claims go to the others.
 */
class PostgresFeedGapTest {
    private PostgresConfig db;
    private PostgresMailStore nodeA;
    private PostgresMailStore nodeB;
    private long alice;
    private long inbox;

    @BeforeEach
    void open() {
        db = TestPostgres.fresh();
        nodeA = PostgresMailStore.open(db);
        nodeB = PostgresMailStore.open(db);
        nodeA.directory().addDomain("example.org");
        alice = nodeA.directory().createAccount("alice@example.org", PasswordRecord.NONE, false).id();
        inbox = nodeA.mailboxes().find(alice, "INBOX").orElseThrow().id();
    }

    @AfterEach
    void close() {
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
    }

    private static PostgresChangeFeed feed(PostgresMailStore node) {
        return (PostgresChangeFeed) node.changes();
    }

    /** Ends the node's LISTEN session from the server side; returns how many were ended. */
    private int terminateListener(PostgresMailStore node) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = '" + PostgresChangeFeed.LISTEN_APPLICATION + feed(node).nodeId() + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String blob(MailStore s, String content) throws IOException {
        try (var w = s.blobs().create()) {
            try (OutputStream out = w.stream()) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            return w.commit();
        }
    }

    private void deliverThroughA() {
        try {
            String content = "Subject: in the gap\r\n\r\nhi\r\n";
            nodeA.deliver(new Intake(blob(nodeA, content), content.length(), Instant.now(),
                    List.of(new Intake.Target(alice, inbox, Set.of())), null));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs {@code change} once, on B's feed thread, after B's LISTEN session died and before it listens again. */
    private AtomicBoolean inTheGap(PostgresMailStore node, Runnable change) {
        AtomicBoolean ran = new AtomicBoolean();
        feed(node).beforeRelisten = () -> {
            if (ran.compareAndSet(false, true)) change.run();
        };
        return ran;
    }

    private static boolean waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    @Test
    void aDeliveryCommittedWhileNoConnectionListensIsAnnouncedOnceListeningAgain() throws Exception {
        List<ChangeEvent> aliceOnB = new CopyOnWriteArrayList<>();
        List<ChangeEvent> everythingOnB = new CopyOnWriteArrayList<>();
        nodeB.changes().subscribe(alice, aliceOnB::add);
        nodeB.changes().subscribe(0, everythingOnB::add);
        // Committed before B listens again, so no notification of it reaches B: only the resync can tell.
        AtomicBoolean delivered = inTheGap(nodeB, this::deliverThroughA);
        assertThat(terminateListener(nodeB)).isEqualTo(1);
        assertThat(waitFor(Duration.ofSeconds(5), delivered::get)).as("B noticed the broken connection").isTrue();
        long reconnected = System.nanoTime();
        long modSeq = nodeA.mailboxes().byId(alice, inbox).orElseThrow().highestModSeq();
        // Within a second of listening again, as a session in IDLE would need it.
        assertThat(waitFor(Duration.ofSeconds(1), () -> aliceOnB.stream().anyMatch(e -> e.modSeq() >= modSeq)))
                .as("events for alice on B: %s", aliceOnB).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - reconnected)).isLessThan(Duration.ofSeconds(1));
        assertThat(aliceOnB).allMatch(e -> e.kind() != ChangeEvent.Kind.ACCOUNT);
        // A subscriber to every account (the search indexer) is told to look at everything.
        assertThat(waitFor(Duration.ofSeconds(1), () -> everythingOnB.stream().anyMatch(e -> e.accountId() == 0)))
                .as("events for all accounts on B: %s", everythingOnB).isTrue();
        // And the feed works as before for what comes after.
        int before = aliceOnB.size();
        deliverThroughA();
        assertThat(waitFor(Duration.ofSeconds(1), () -> aliceOnB.stream().skip(before)
                .anyMatch(e -> e.kind() == ChangeEvent.Kind.MESSAGES && e.mailboxId() == inbox))).isTrue();
    }

    @Test
    void aPasswordChangedWhileNoConnectionListensStillEndsTheSessions() throws Exception {
        List<ChangeEvent> aliceOnB = new CopyOnWriteArrayList<>();
        nodeB.changes().subscribe(alice, aliceOnB::add);
        assertThat(waitFor(Duration.ofSeconds(2), () -> feed(nodeB).fingerprinted() == 1)).isTrue();
        AtomicBoolean changed = inTheGap(nodeB,
                () -> nodeA.directory().setPassword("alice@example.org", new PasswordRecord("x", "")));
        assertThat(terminateListener(nodeB)).isEqualTo(1);
        assertThat(waitFor(Duration.ofSeconds(5), changed::get)).isTrue();
        assertThat(waitFor(Duration.ofSeconds(1), () -> aliceOnB.stream().anyMatch(e -> e.kind() == ChangeEvent.Kind.ACCOUNT)))
                .as("events for alice on B: %s", aliceOnB).isTrue();
    }

    @Test
    void anAccountDeletedWhileNoConnectionListensEndsTheSessions() throws Exception {
        List<ChangeEvent> aliceOnB = new CopyOnWriteArrayList<>();
        nodeB.changes().subscribe(alice, aliceOnB::add);
        AtomicBoolean deleted = inTheGap(nodeB, () -> nodeA.directory().deleteAccount("alice@example.org"));
        assertThat(terminateListener(nodeB)).isEqualTo(1);
        assertThat(waitFor(Duration.ofSeconds(5), deleted::get)).isTrue();
        assertThat(waitFor(Duration.ofSeconds(1), () -> aliceOnB.stream().anyMatch(e -> e.kind() == ChangeEvent.Kind.ACCOUNT)))
                .as("events for alice on B: %s", aliceOnB).isTrue();
    }

    @Test
    void aSubscriberWithoutGapsGetsNoAccountEvents() throws Exception {
        List<ChangeEvent> aliceOnB = new CopyOnWriteArrayList<>();
        nodeB.changes().subscribe(alice, aliceOnB::add);
        assertThat(waitFor(Duration.ofSeconds(2), () -> feed(nodeB).fingerprinted() == 1)).isTrue();
        // A gap in which nothing of alice's credentials changed: a resync, but her sessions go on.
        AtomicBoolean gap = inTheGap(nodeB, this::deliverThroughA);
        terminateListener(nodeB);
        assertThat(waitFor(Duration.ofSeconds(5), gap::get)).isTrue();
        assertThat(waitFor(Duration.ofSeconds(1), () -> !aliceOnB.isEmpty())).isTrue();
        assertThat(aliceOnB).noneMatch(e -> e.kind() == ChangeEvent.Kind.ACCOUNT);
    }

    private long queueOne(MailStore node) throws IOException {
        String content = "Subject: out\r\n\r\nx\r\n";
        return node.deliver(new Intake(blob(node, content), content.length(), Instant.now().minusSeconds(1), List.of(),
                new Intake.Outbound("s@example.org", List.of("r@remote.net")))).queueId();
    }

    @Test
    void aLiveNodesClaimStaysItsOwnButADeadNodesReturnsAfterTheGrace() throws Exception {
        long id = queueOne(nodeA);
        assertThat(nodeA.queue().due(Instant.now(), 10)).extracting(QueuedMessage::id).containsExactly(id);
        Instant afterGrace = Instant.now().plus(PostgresOutboundQueue.DEAD_NODE_GRACE).plusSeconds(1);
        // A's LISTEN connection is there: its claim is not taken even after the grace.
        assertThat(nodeB.queue().due(afterGrace, 10)).isEmpty();
        // A dies: its connections close, as they do when the kernel reaps a SIGKILLed process.
        nodeA.close();
        nodeA = null;
        // Not before the grace (a live node re-opening its LISTEN connection keeps renewing)...
        assertThat(nodeB.queue().due(Instant.now(), 10)).isEmpty();
        // ...but then, long before the lease would run out.
        assertThat(PostgresOutboundQueue.DEAD_NODE_GRACE).isLessThan(PostgresConfig.DEFAULT_QUEUE_LEASE);
        // The server ends A's session a moment after A closed its end.
        List<QueuedMessage> taken = new CopyOnWriteArrayList<>();
        assertThat(waitFor(Duration.ofSeconds(5), () -> taken.addAll(nodeB.queue().due(afterGrace, 10)))).isTrue();
        assertThat(taken).extracting(QueuedMessage::id).containsExactly(id);
    }
}

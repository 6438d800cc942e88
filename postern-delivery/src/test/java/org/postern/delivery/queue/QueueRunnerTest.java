// SPDX-License-Identifier: Apache-2.0
package org.postern.delivery.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.smtp.client.OutboundMessage;
import org.postern.smtp.client.RecipientResult;
import org.postern.smtp.client.RecipientResult.Outcome;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.store.OutboundQueue.QueuedMessage;
import org.postern.store.SubmissionStore;
import org.postern.store.sqlite.SqliteMailStore;

/** Retry, partial success, delay warning and expiry, against the SQLite store with a settable clock. */
class QueueRunnerTest {
    @TempDir
    Path dataDir;

    private SqliteMailStore store;
    private Account alice;
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    private final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();
    private BiFunction<String, Integer, Outcome> outcome = (rcpt, attempt) -> Outcome.DELIVERED;
    /** Whether the fake next hop advertises DSN (RFC 3461 §5.2.2). */
    private boolean nextHopDsn;
    private int attempts;
    private QueueRunner runner;

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dataDir);
        store.directory().addDomain("ours.test");
        alice = store.directory().createAccount("alice@ours.test", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
        QueueConfig config = QueueConfig.defaults("mx.ours.test").withBackoff(Duration.ofMinutes(5), Duration.ofHours(1));
        runner = new QueueRunner(store, (domain, m) -> {
            sent.add(m);
            int n = ++attempts;
            List<RecipientResult> out = new ArrayList<>();
            for (String r : m.recipients()) {
                Outcome o = outcome.apply(r, n);
                String code = switch (o) {
                    case DELIVERED -> "250 2.0.0 Ok";
                    case TEMPORARY -> "451 4.3.0 later";
                    case PERMANENT -> "550 5.1.1 User unknown";
                };
                out.add(new RecipientResult(r, o, code.substring(4, 9), code, "mx." + domain, true, nextHopDsn));
            }
            return out;
        }, config, clock);
    }

    @AfterEach
    void close() {
        runner.close();
        store.close();
    }

    private long enqueue(String from, String... rcpts) throws Exception {
        return enqueue(from, Intake.Options.NONE, List.of(), rcpts);
    }

    private long enqueue(String from, Intake.Options options, List<Intake.RecipientOptions> per, String... rcpts)
            throws Exception {
        String blobId;
        long size;
        try (BlobStore.BlobWriter w = store.blobs().create()) {
            OutputStream out = w.stream();
            out.write("Return-Path: <alice@ours.test>\r\nFrom: <alice@ours.test>\r\nSubject: test\r\n\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            blobId = w.commit();
            size = w.size();
        }
        return store.deliver(new Intake(blobId, size, clock.instant(), List.of(),
                new Intake.Outbound(from, List.of(rcpts), options, per))).queueId();
    }

    private List<String> inbox() throws Exception {
        Mailbox inbox = store.mailboxes().find(alice.id(), Mailbox.INBOX).orElseThrow();
        List<String> out = new ArrayList<>();
        for (MessageRecord m : store.mailboxes().snapshot(alice.id(), inbox.id()).messages()) {
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void deliveredMailLeavesTheQueue() throws Exception {
        enqueue("alice@ours.test", "a@x.test", "b@y.test", "c@x.test");
        assertThat(runner.runOnce()).isEqualTo(1);
        assertThat(store.queue().list()).isEmpty();
        // One transaction per domain, carrying all of that domain's recipients.
        assertThat(sent).extracting(OutboundMessage::recipients)
                .containsExactlyInAnyOrder(List.of("a@x.test", "c@x.test"), List.of("b@y.test"));
        assertThat(inbox()).isEmpty();
    }

    @Test
    void temporaryFailureBacksOffThenDelivers() throws Exception {
        outcome = (r, n) -> n == 1 ? Outcome.TEMPORARY : Outcome.DELIVERED;
        long id = enqueue("alice@ours.test", "a@x.test");
        runner.runOnce();
        QueuedMessage e = store.queue().get(id).orElseThrow();
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(e.lastError()).contains("451 4.3.0 later");
        assertThat(runner.runOnce()).isZero(); // not due yet
        clock.advance(Duration.ofMinutes(5));
        assertThat(runner.runOnce()).isEqualTo(1);
        assertThat(store.queue().list()).isEmpty();
        assertThat(sent).hasSize(2);
    }

    @Test
    void partialSuccessRequeuesOnlyTheRest() throws Exception {
        outcome = (r, n) -> r.startsWith("slow") && n == 1 ? Outcome.TEMPORARY : Outcome.DELIVERED;
        long id = enqueue("alice@ours.test", "fast@x.test", "slow@x.test");
        Instant queuedAt = clock.instant();
        runner.runOnce();
        assertThat(store.queue().get(id)).isEmpty();
        List<QueuedMessage> left = store.queue().list();
        assertThat(left).hasSize(1);
        assertThat(left.get(0).recipients()).containsExactly("slow@x.test");
        assertThat(left.get(0).queuedAt()).isEqualTo(queuedAt); // the age is kept for expiry
        clock.advance(Duration.ofMinutes(5));
        runner.runOnce();
        assertThat(sent).extracting(OutboundMessage::recipients)
                .containsExactly(List.of("fast@x.test", "slow@x.test"), List.of("slow@x.test"));
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void permanentFailureBouncesToTheLocalSender() throws Exception {
        outcome = (r, n) -> r.startsWith("bad") ? Outcome.PERMANENT : Outcome.DELIVERED;
        enqueue("alice@ours.test", "good@x.test", "bad@x.test");
        runner.runOnce();
        assertThat(store.queue().list()).isEmpty();
        List<String> inbox = inbox();
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0)).startsWith("Return-Path: <>\r\n").contains("Final-Recipient: rfc822; bad@x.test")
                .contains("Status: 5.1.1").contains("Subject: test").doesNotContain("rfc822; good@x.test");
        // The original's Return-Path: is not part of the attached headers.
        assertThat(inbox.get(0).split("Return-Path:", -1)).hasSize(2);
    }

    @Test
    void remoteSenderGetsTheBounceQueuedFromTheNullPath() throws Exception {
        outcome = (r, n) -> Outcome.PERMANENT;
        enqueue("someone@elsewhere.test", "bad@x.test");
        runner.runOnce();
        List<QueuedMessage> q = store.queue().list();
        assertThat(q).hasSize(1);
        assertThat(q.get(0).mailFrom()).isEmpty();
        assertThat(q.get(0).recipients()).containsExactly("someone@elsewhere.test");
    }

    @Test
    void aBounceIsNeverBounced() throws Exception {
        outcome = (r, n) -> Outcome.PERMANENT;
        enqueue("", "someone@elsewhere.test");
        runner.runOnce();
        assertThat(store.queue().list()).isEmpty();
        assertThat(inbox()).isEmpty();
    }

    @Test
    void delayWarningOnceThenExpiryBounce() throws Exception {
        outcome = (r, n) -> Outcome.TEMPORARY;
        long id = enqueue("alice@ours.test", "a@x.test");
        runner.runOnce();
        assertThat(inbox()).isEmpty();
        clock.advance(Duration.ofHours(4));
        runner.runOnce();
        assertThat(inbox()).hasSize(1);
        assertThat(inbox().get(0)).contains("Action: delayed").contains("Will-Retry-Until:");
        assertThat(store.queue().get(id).orElseThrow().lastError()).startsWith(QueueRunner.WARNED);
        clock.advance(Duration.ofHours(1));
        runner.runOnce();
        assertThat(inbox()).hasSize(1); // warned once only
        // The last retry is scheduled no later than the expiry.
        clock.advance(Duration.ofDays(5));
        runner.runOnce();
        assertThat(store.queue().list()).isEmpty();
        List<String> inbox = inbox();
        assertThat(inbox).hasSize(2);
        assertThat(inbox.get(1)).contains("Action: failed").contains("Status: 4.4.7").contains("delivery time expired");
    }

    @Test
    void backoffGrowsWithAgeWithinBounds() {
        QueueConfig c = QueueConfig.defaults("h").withBackoff(Duration.ofMinutes(5), Duration.ofHours(1));
        assertThat(c.backoff(Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.backoff(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(20));
        assertThat(c.backoff(Duration.ofDays(2))).isEqualTo(Duration.ofHours(1));
    }

    private static Intake.RecipientOptions notify(String n) {
        return new Intake.RecipientOptions(n, null, null);
    }

    @Test
    void notifyNeverMeansNoBounceButTheRecipientStillLeaves() throws Exception {
        outcome = (r, n) -> Outcome.PERMANENT;
        enqueue("alice@ours.test", Intake.Options.NONE, List.of(notify("NEVER"), Intake.RecipientOptions.NONE),
                "quiet@x.test", "loud@x.test");
        runner.runOnce();
        assertThat(store.queue().list()).isEmpty();
        assertThat(inbox()).hasSize(1);
        assertThat(inbox().get(0)).contains("Final-Recipient: rfc822; loud@x.test").doesNotContain("quiet@x.test");
    }

    @Test
    void notifyWithoutDelayGetsNoDelayWarning() throws Exception {
        outcome = (r, n) -> Outcome.TEMPORARY;
        enqueue("alice@ours.test", Intake.Options.NONE, List.of(notify("FAILURE")), "a@x.test");
        runner.runOnce();
        clock.advance(Duration.ofHours(5));
        runner.runOnce();
        assertThat(inbox()).isEmpty();
        enqueue("alice@ours.test", Intake.Options.NONE, List.of(notify("DELAY")), "b@x.test");
        runner.runOnce();
        clock.advance(Duration.ofHours(5));
        runner.runOnce();
        assertThat(inbox()).hasSize(1);
        assertThat(inbox().get(0)).contains("Action: delayed").contains("b@x.test");
    }

    @Test
    void notifySuccessGetsARelayedReportWhenTheNextHopTakesNoDsn() throws Exception {
        enqueue("alice@ours.test", new Intake.Options(null, "env-7", false, false),
                List.of(new Intake.RecipientOptions("SUCCESS,FAILURE", "rfc822", "Original@x.test"), Intake.RecipientOptions.NONE),
                "a@x.test", "b@x.test");
        runner.runOnce();
        assertThat(store.queue().list()).isEmpty();
        List<String> inbox = inbox();
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0)).contains("Action: relayed").contains("Status: 2.0.0")
                .contains("Original-Envelope-Id: env-7").contains("Original-Recipient: rfc822;Original@x.test")
                .contains("Final-Recipient: rfc822; a@x.test").doesNotContain("b@x.test");
    }

    @Test
    void noRelayedReportWhenTheNextHopTakesTheDsnRequest() throws Exception {
        nextHopDsn = true;
        enqueue("alice@ours.test", Intake.Options.NONE, List.of(notify("SUCCESS")), "a@x.test");
        runner.runOnce();
        assertThat(inbox()).isEmpty();
        // and the client was told what to pass on
        assertThat(sent.get(0).options().recipientParams().get("a@x.test").notifyKeyword()).isEqualTo("SUCCESS");
    }

    @Test
    void retFullReturnsTheWholeMessageAndRequireTlsForcesHeadersOnly() throws Exception {
        outcome = (r, n) -> Outcome.PERMANENT;
        enqueue("alice@ours.test", new Intake.Options("FULL", null, false, false), List.of(), "a@x.test");
        runner.runOnce();
        assertThat(inbox().get(0)).contains("Content-Type: message/rfc822").contains("\r\n\r\nhello\r\n");
        enqueue("alice@ours.test", new Intake.Options("FULL", null, true, false), List.of(), "b@x.test");
        runner.runOnce();
        // RFC 8689 §5: a REQUIRETLS message is returned as if RET=HDRS.
        assertThat(inbox().get(1)).contains("Content-Type: text/rfc822-headers").doesNotContain("hello");
        enqueue("alice@ours.test", new Intake.Options("HDRS", null, false, false), List.of(), "c@x.test");
        runner.runOnce();
        assertThat(inbox().get(2)).contains("Content-Type: text/rfc822-headers").doesNotContain("hello");
    }

    @Test
    void optionsFollowTheRecipientsThatAreLeft() throws Exception {
        outcome = (r, n) -> r.startsWith("slow") && n == 1 ? Outcome.TEMPORARY : Outcome.DELIVERED;
        Intake.Options options = new Intake.Options("HDRS", "e1", true, false);
        enqueue("alice@ours.test", options, List.of(notify("SUCCESS"), notify("DELAY,FAILURE")), "fast@x.test", "slow@x.test");
        runner.runOnce();
        QueuedMessage left = store.queue().list().stream().filter(q -> !q.mailFrom().isEmpty()).findFirst().orElseThrow();
        assertThat(left.options()).isEqualTo(options);
        assertThat(left.recipientOptions()).containsExactly(notify("DELAY,FAILURE"));
        assertThat(sent.get(0).options().requireTls()).isTrue();
    }

    @Test
    void queuedMailWakesTheRunner() throws Exception {
        runner = new QueueRunner(store, (domain, m) -> {
            sent.add(m);
            return m.recipients().stream().map(r -> new RecipientResult(r, Outcome.DELIVERED, "2.0.0", "250 ok", "mx", true))
                    .toList();
        }, QueueConfig.defaults("mx.ours.test").withPollInterval(Duration.ofHours(1)), Clock.systemUTC());
        runner.start();
        Instant deadline = Instant.now().plusSeconds(10);
        while (runner.polls == 0 && Instant.now().isBefore(deadline)) Thread.sleep(5);
        assertThat(runner.polls).isPositive(); // the first poll is over: only a wake-up can find the entry now
        enqueue("alice@ours.test", "a@x.test");
        while (sent.isEmpty() && Instant.now().isBefore(deadline)) Thread.sleep(10);
        assertThat(sent).as("delivered long before the hour-long poll interval").hasSize(1);
    }

    @Test
    void withASmarthostAllDomainsGoInOneDelivery() throws Exception {
        runner.close();
        List<String> destinations = new CopyOnWriteArrayList<>();
        runner = new QueueRunner(store, (destination, m) -> {
            destinations.add(destination);
            sent.add(m);
            return m.recipients().stream().map(r -> new RecipientResult(r, Outcome.DELIVERED, "2.0.0", "250 ok", "relay", true))
                    .toList();
        }, QueueConfig.defaults("mx.ours.test").withSmarthost("relay.example.net:587"), clock);
        enqueue("alice@ours.test", "a@x.test", "b@y.test", "c@x.test");
        runner.runOnce();
        assertThat(destinations).containsExactly("relay.example.net:587");
        assertThat(sent).singleElement().satisfies(m ->
                assertThat(m.recipients()).containsExactlyInAnyOrder("a@x.test", "b@y.test", "c@x.test"));
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void aHeldEntryWaitsForItsReleaseAndAgesFromThere() throws Exception {
        Instant release = clock.instant().plus(Duration.ofDays(10));
        long id = enqueue("alice@ours.test", new Intake.Options(null, null, false, false, release), List.of(), "a@x.test");
        assertThat(runner.runOnce()).isZero();
        // Made due by someone else (an admin's retry, another node): still not released (RFC 4865 §3).
        store.queue().deferred(id, clock.instant(), "");
        assertThat(runner.runOnce()).isEqualTo(1);
        assertThat(sent).isEmpty();
        assertThat(store.queue().get(id).orElseThrow().nextAttempt()).isEqualTo(release);
        clock.advance(Duration.ofDays(10));
        outcome = (r, n) -> Outcome.TEMPORARY;
        assertThat(runner.runOnce()).isEqualTo(1);
        // Ten days after queueing, yet the five-day expiry counts from the release: only deferred.
        QueuedMessage e = store.queue().get(id).orElseThrow();
        assertThat(e.nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(inbox()).isEmpty();
        assertThat(sent).hasSize(1);
    }

    @Test
    void aSubmissionLearnsEachRecipientsResult() throws Exception {
        outcome = (r, n) -> r.startsWith("good") ? Outcome.DELIVERED : r.startsWith("bad") ? Outcome.PERMANENT
                : sent.stream().filter(m -> m.recipients().contains(r)).count() == 1 ? Outcome.TEMPORARY : Outcome.DELIVERED;
        long id = enqueue("alice@ours.test", "good@x.test", "bad@x.test", "slow@y.test");
        SubmissionStore.Submission s = store.submissions().create(new SubmissionStore.Submission(0, alice.id(), 1, "e1", "t1",
                "alice@ours.test", List.of("good@x.test", "bad@x.test", "slow@y.test"), List.of(), id, clock.instant(),
                "pending"));
        long state = store.submissions().state(alice.id());
        runner.runOnce();
        assertThat(store.submissions().deliveries(alice.id(), s.id())).containsExactlyInAnyOrder(
                new SubmissionStore.Delivery("good@x.test", "unknown", "250 2.0.0 Ok"),
                new SubmissionStore.Delivery("bad@x.test", "no", "550 5.1.1 User unknown"),
                new SubmissionStore.Delivery("slow@y.test", "queued", "451 4.3.0 later"));
        SubmissionStore.Submission after = store.submissions().get(alice.id(), s.id()).orElseThrow();
        assertThat(after.undoStatus()).isEqualTo("final"); // relayed to one: cannot be recalled (RFC 8621 §7)
        assertThat(after.queueId()).isEqualTo(store.queue().list().get(0).id());
        assertThat(store.submissions().changes(alice.id(), state, 10).orElseThrow().updated()).containsExactly(s.id());
        clock.advance(Duration.ofMinutes(5));
        runner.runOnce();
        assertThat(store.submissions().deliveries(alice.id(), s.id()))
                .contains(new SubmissionStore.Delivery("slow@y.test", "unknown", "250 2.0.0 Ok"));
        assertThat(store.submissions().get(alice.id(), s.id()).orElseThrow().queueId()).isEqualTo(-1);
    }

    @Test
    void anExpiredRecipientIsReportedAsAFailureOfItsOwn() throws Exception {
        outcome = (r, n) -> Outcome.TEMPORARY;
        long id = enqueue("alice@ours.test", "slow@x.test");
        SubmissionStore.Submission s = store.submissions().create(new SubmissionStore.Submission(0, alice.id(), 1, "e1", "t1",
                "alice@ours.test", List.of("slow@x.test"), List.of(), id, clock.instant(), "pending"));
        runner.runOnce();
        assertThat(store.submissions().get(alice.id(), s.id()).orElseThrow().undoStatus()).isEqualTo("pending");
        clock.advance(Duration.ofDays(6));
        runner.runOnce();
        assertThat(store.submissions().deliveries(alice.id(), s.id())).singleElement().satisfies(d -> {
            assertThat(d.delivered()).isEqualTo("no");
            assertThat(d.smtpReply()).startsWith("550 5.4.7 delivery time expired; last error: 451 4.3.0 later");
        });
        assertThat(store.submissions().get(alice.id(), s.id()).orElseThrow().undoStatus()).isEqualTo("final");
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.method.MailSubmitter;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Account;
import org.postern.store.Intake;
import org.postern.store.Mailbox;
import org.postern.store.SubmissionStore;

/**
 * RFC 8621 §7 deliveryStatus from what the queue recorded, and delayed sending (maxDelayedSend,
 * the envelope's RFC 4865 FUTURERELEASE parameters, sendAt, cancelling a held message).
 */
class SubmissionStatusTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    long alice;

    /** The fake intake, able to hold for a day (it passes the options, hold included, into the queue). */
    static final class Holding implements MailSubmitter {
        final FakeSubmitter inner;

        Holding(FakeSubmitter inner) {
            this.inner = inner;
        }

        @Override
        public boolean owns(Account account, String address) {
            return inner.owns(account, address);
        }

        @Override
        public Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message) {
            return inner.submit(account, mailFrom, recipients, message);
        }

        @Override
        public Outcome submit(Account account, String mailFrom, List<String> recipients, byte[] message, Intake.Options options,
                List<Intake.RecipientOptions> recipientOptions) {
            return inner.submit(account, mailFrom, recipients, message, options, recipientOptions);
        }

        @Override
        public Duration maxDelayedSend() {
            return Duration.ofDays(1);
        }
    }

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        f.jmap.sendingWith(new Holding(new FakeSubmitter(f.store)));
        c = f.client("alice@example.test", "pw");
        alice = f.store.directory().account("alice@example.test").orElseThrow().id();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    String draft() throws Exception {
        Mailbox drafts = f.store.mailboxes().find(alice, "Drafts").orElseThrow();
        byte[] raw = "From: alice@example.test\r\nTo: a@remote.example, b@remote.example, c@remote.example\r\nSubject: x\r\n\r\nhi\r\n"
                .getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        long uid = f.store.mailboxes().append(alice, drafts.id(), blob, raw.length, Set.of("$draft"), Instant.now()).uid();
        return "e" + drafts.id() + "-" + uid;
    }

    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\",\"urn:ietf:params:jmap:submission\"]";

    /** The arguments of the one response, which must be {@code method}'s. */
    JsonNode one(String method, String args) throws Exception {
        JsonNode r = c.callUsing(USING, "[[\"" + method + "\"," + args + ",\"c\"]]").get(0);
        assertThat(r.get(0).asText()).as(r.toString()).isEqualTo(method);
        return r.get(1);
    }

    JsonNode create(String mailFromParameters) throws Exception {
        return create(mailFromParameters, "a@remote.example");
    }

    JsonNode create(String mailFromParameters, String rcpt) throws Exception {
        String identity = one("Identity/get", "{\"accountId\":\"$A\"}").at("/list/0/id").asText();
        String envelope = mailFromParameters == null ? "" : ",\"envelope\":{\"mailFrom\":{\"email\":\"alice@example.test\","
                + "\"parameters\":" + mailFromParameters + "},\"rcptTo\":[{\"email\":\"" + rcpt + "\"}]}";
        return one("EmailSubmission/set", "{\"accountId\":\"$A\",\"create\":{\"k\":{\"identityId\":\"" + identity
                + "\",\"emailId\":\"" + draft() + "\"" + envelope + "}}}");
    }

    JsonNode get(String id) throws Exception {
        return one("EmailSubmission/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]}").at("/list/0");
    }

    long number(String id) {
        return Long.parseLong(id.substring(1));
    }

    @Test
    void theQueuesResultsBecomeTheDeliveryStatusAndAChange() throws Exception {
        JsonNode created = create(null).at("/created/k");
        String id = created.path("id").asText();
        assertThat(created.path("undoStatus").asText()).isEqualTo("pending");
        JsonNode s = get(id);
        assertThat(s.at("/deliveryStatus/a@remote.example/delivered").asText()).isEqualTo("queued");
        String state = one("EmailSubmission/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();

        // What the queue runner records after one attempt (see QueueRunner.settle).
        long queueId = f.store.submissions().get(alice, number(id)).orElseThrow().queueId();
        f.store.submissions().recordDelivery(queueId, List.of(
                new SubmissionStore.Delivery("a@remote.example", "unknown", "250 2.0.0 Ok: queued as 4711"),
                new SubmissionStore.Delivery("b@remote.example", "no", "550 5.1.1 <b@remote.example>: no such user"),
                new SubmissionStore.Delivery("c@remote.example", "queued", "451 4.7.1 greylisted, try again")), queueId);

        s = get(id);
        assertThat(s.at("/deliveryStatus/a@remote.example/delivered").asText()).isEqualTo("unknown");
        assertThat(s.at("/deliveryStatus/a@remote.example/smtpReply").asText()).isEqualTo("250 2.0.0 Ok: queued as 4711");
        assertThat(s.at("/deliveryStatus/b@remote.example/delivered").asText()).isEqualTo("no");
        assertThat(s.at("/deliveryStatus/b@remote.example/smtpReply").asText()).isEqualTo("550 5.1.1 <b@remote.example>: no such user");
        assertThat(s.at("/deliveryStatus/c@remote.example/delivered").asText()).isEqualTo("queued");
        assertThat(s.at("/deliveryStatus/c@remote.example/smtpReply").asText()).isEqualTo("451 4.7.1 greylisted, try again");
        assertThat(s.at("/deliveryStatus/c@remote.example/displayed").asText()).isEqualTo("unknown");
        assertThat(s.path("undoStatus").asText()).isEqualTo("final"); // relayed to one: cannot be recalled
        JsonNode changes = one("EmailSubmission/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state + "\"}");
        assertThat(changes.path("updated")).extracting(JsonNode::asText).containsExactly(id);
    }

    @Test
    void aHeldSubmissionWaitsForItsSendAtAndCanBeCanceled() throws Exception {
        JsonNode caps = c.session().at("/accounts/" + c.accountId() + "/accountCapabilities/urn:ietf:params:jmap:submission");
        assertThat(caps.path("maxDelayedSend").asLong()).isEqualTo(86_400);
        assertThat(caps.at("/submissionExtensions/FUTURERELEASE/0").asText()).isEqualTo("86400");
        assertThat(Instant.parse(caps.at("/submissionExtensions/FUTURERELEASE/1").asText())).isAfter(Instant.now());
        assertThat(caps.path("submissionExtensions").has("DSN")).isTrue();

        Instant before = Instant.now();
        JsonNode created = create("{\"HOLDFOR\":\"3600\"}").at("/created/k");
        String id = created.path("id").asText();
        Instant sendAt = Instant.parse(created.path("sendAt").asText());
        assertThat(sendAt).isBetween(before.plusSeconds(3599), Instant.now().plusSeconds(3600));
        assertThat(created.path("undoStatus").asText()).isEqualTo("pending");
        var entry = f.store.queue().get(f.store.submissions().get(alice, number(id)).orElseThrow().queueId()).orElseThrow();
        assertThat(entry.options().holdUntil()).isBetween(sendAt, sendAt.plusSeconds(1));
        assertThat(entry.nextAttempt()).isEqualTo(entry.options().holdUntil());
        assertThat(get(id).at("/deliveryStatus/a@remote.example/smtpReply").asText()).startsWith("250 2.0.0 Held until ");

        JsonNode r = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"undoStatus\":\"canceled\"}}}");
        assertThat(r.path("updated").has(id)).as(r.toString()).isTrue();
        assertThat(f.store.queue().get(entry.id())).isEmpty();
        JsonNode s = get(id);
        assertThat(s.path("undoStatus").asText()).isEqualTo("canceled");
        assertThat(s.at("/deliveryStatus/a@remote.example/delivered").asText()).isEqualTo("no");

        JsonNode until = create("{\"HOLDUNTIL\":\"" + Instant.now().plusSeconds(7200).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + "\"}").at("/created/k");
        assertThat(Instant.parse(until.path("sendAt").asText())).isAfter(Instant.now().plusSeconds(7000));
    }

    @Test
    void holdsBeyondMaxDelayedSendOrMalformedAreRefused() throws Exception {
        for (String params : List.of("{\"HOLDFOR\":\"86401\"}", "{\"HOLDFOR\":\"-5\"}", "{\"HOLDFOR\":\"1\",\"HOLDUNTIL\":\"2030-01-01T00:00:00Z\"}",
                "{\"HOLDUNTIL\":\"" + Instant.now().plus(Duration.ofDays(2)) + "\"}", "{\"HOLDUNTIL\":\"tomorrow\"}",
                "{\"HOLDFOR\":null}")) {
            JsonNode r = create(params);
            assertThat(r.at("/notCreated/k/type").asText()).as(params + " " + r).isEqualTo("invalidProperties");
            assertThat(r.at("/notCreated/k/properties/0").asText()).isEqualTo("envelope/mailFrom");
        }
        // Local mailboxes are delivered to at once, so a hold for them is refused rather than ignored.
        JsonNode local = create("{\"HOLDFOR\":\"60\"}", "Alice@EXAMPLE.test");
        assertThat(local.at("/notCreated/k/type").asText()).as(local.toString()).isEqualTo("invalidProperties");
        assertThat(f.store.mailboxes().find(alice, "INBOX").orElseThrow().messages()).isZero();
        assertThat(f.store.queue().list()).isEmpty();
        // A release time already past holds nothing.
        JsonNode past = create("{\"HOLDUNTIL\":\"2020-01-01T00:00:00Z\"}").at("/created/k");
        assertThat(f.store.queue().list()).singleElement().satisfies(q -> assertThat(q.options().holdUntil()).isNull());
        assertThat(Instant.parse(past.path("sendAt").asText())).isAfter(Instant.now().minusSeconds(60));
    }
}

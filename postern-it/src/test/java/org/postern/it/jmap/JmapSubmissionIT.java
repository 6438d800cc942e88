// SPDX-License-Identifier: Apache-2.0
package org.postern.it.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.mailauth.dkim.DkimSignature;
import org.postern.mailauth.dkim.DkimSigningKey;
import org.postern.server.config.OutboundConfig;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.DkimKeyStore;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * JMAP EmailSubmission (RFC 8621 §7) through the whole server: the port-587 rules refuse what they
 * refuse on SMTP, a local recipient reads the message over IMAP, a remote one gets it DKIM-signed from
 * the queue at a second Postern found through fake DNS, and a vacation reply (RFC 3834) goes out once
 * per sender.
 */
class JmapSubmissionIT {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\","
            + "\"urn:ietf:params:jmap:submission\",\"urn:ietf:params:jmap:vacationresponse\"]";

    private static final AtomicInteger USERS = new AtomicInteger();
    @TempDir
    static Path data;
    static FakeDns dns;
    static TestServer remote;
    static TestServer server;
    /** This test's sender and local recipient, new accounts each time so tests share the servers. */
    String aliceAddress;
    String bobAddress;
    JmapTestClient alice;

    @BeforeAll
    static void start() throws Exception {
        dns = FakeDns.start();
        remote = TestServer.start();
        remote.store().directory().addDomain("remote.test");
        remote.createUser("carol@remote.test", "pw");
        dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1");
        server = TestServer.startOn(data, s -> s.withOutbound(OutboundConfig.defaults().forTests("127.0.0.1:" + dns.port(),
                remote.smtpPort())));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (remote != null) remote.close();
        if (dns != null) dns.close();
    }

    @BeforeEach
    void users() throws Exception {
        int n = USERS.incrementAndGet();
        aliceAddress = "alice" + n + "@example.test";
        bobAddress = "bob" + n + "@example.test";
        server.createUser(aliceAddress, "alice-pw");
        server.createUser(bobAddress, "bob-pw");
        alice = client(aliceAddress, "alice-pw");
    }

    JmapTestClient client(String user, String password) throws Exception {
        return new JmapTestClient(server.port(Service.HTTPS), server.sslContext(), user, password);
    }

    static JsonNode call(JmapTestClient c, String methodCalls) throws Exception {
        String body = "{\"using\":" + USING + ",\"methodCalls\":" + methodCalls.replace("$A", c.accountId) + "}";
        HttpResponse<String> r = c.http.send(c.request(c.session.get("apiUrl").asText()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JmapTestClient.JSON.readTree(r.body()).get("methodResponses");
    }

    String mailbox(String name) {
        Account a = server.store().directory().account(aliceAddress).orElseThrow();
        return "m" + server.store().mailboxes().find(a.id(), name).orElseThrow().id();
    }

    /** One request: create a draft, send it, and move it to Sent (RFC 8621 §7.5.1). */
    JsonNode send(JmapTestClient c, String from, String to, String subject, String envelope) throws Exception {
        String identity = call(c, "[[\"Identity/get\",{\"accountId\":\"$A\"},\"i\"]]").at("/0/1/list/0/id").asText();
        String drafts = mailbox("Drafts");
        String sent = mailbox("Sent");
        return call(c, "[[\"Email/set\",{\"accountId\":\"$A\",\"create\":{\"d\":{\"mailboxIds\":{\"" + drafts + "\":true},"
                + "\"keywords\":{\"$draft\":true},\"from\":[{\"email\":\"" + from + "\"}],\"to\":[{\"email\":\"" + to + "\"}],"
                + "\"subject\":\"" + subject + "\",\"bodyValues\":{\"b\":{\"value\":\"Hello from JMAP\"}},"
                + "\"textBody\":[{\"partId\":\"b\",\"type\":\"text/plain\"}]}}},\"0\"],"
                + "[\"EmailSubmission/set\",{\"accountId\":\"$A\",\"create\":{\"s\":{\"identityId\":\"" + identity + "\",\"emailId\":\"#d\""
                + (envelope == null ? "" : ",\"envelope\":" + envelope) + "}},"
                + "\"onSuccessUpdateEmail\":{\"#s\":{\"mailboxIds/" + drafts + "\":null,\"mailboxIds/" + sent + "\":true,"
                + "\"keywords/$draft\":null}}},\"1\"]]");
    }

    @Test
    void localRecipientReadsItOverImapAndTheDraftMovesToSent() throws Exception {
        JsonNode r = send(alice, aliceAddress, bobAddress, "lunch via jmap", null);
        assertThat(r.at("/1/0").asText()).as(r.toString()).isEqualTo("EmailSubmission/set");
        String id = r.at("/1/1/created/s/id").asText();
        assertThat(id).as(r.toString()).isNotEmpty();
        assertThat(r.at("/2/0").asText()).isEqualTo("Email/set");
        assertThat(r.at("/2/1/updated").size()).isEqualTo(1);
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN " + bobAddress + " bob-pw");
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            imap.readUntil("^b OK.*");
            imap.send("c UID SEARCH SUBJECT \"lunch via jmap\"");
            List<String> lines = imap.readUntil("^c OK.*");
            assertThat(lines).anyMatch(l -> l.matches("\\* SEARCH \\d+"));
            imap.send("d FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM RECEIVED)])");
            String header = String.join("\n", imap.readUntil("^d OK.*"));
            assertThat(header).contains(aliceAddress).contains("jmap");
        }
        JsonNode got = call(alice, "[[\"EmailSubmission/get\",{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]},\"g\"]]");
        assertThat(got.at("/0/1/list/0/deliveryStatus/" + bobAddress + "/delivered").asText()).isEqualTo("yes");
        Account a = server.store().directory().account(aliceAddress).orElseThrow();
        assertThat(server.store().mailboxes().find(a.id(), "Sent").orElseThrow().messages()).isEqualTo(1);
        assertThat(server.store().mailboxes().find(a.id(), "Drafts").orElseThrow().messages()).isZero();
    }

    @Test
    void remoteRecipientIsQueuedSignedAndRelayedToItsMx() throws Exception {
        // The port-587 pipeline signs submitted mail with its From domain's keys (RFC 6376).
        DkimSigningKey key = DkimSigningKey.generate("example.test", "jmap-it", DkimSignature.ED25519_SHA256);
        server.store().dkimKeys().add(new DkimKeyStore.DkimKey(key.domain(), key.selector(), key.algorithm(), key.privateKeyPkcs8(),
                key.publicKeySpki(), java.time.Instant.now()));
        JsonNode r = send(alice, aliceAddress, "carol@remote.test", "to the world", null);
        String id = r.at("/1/1/created/s/id").asText();
        assertThat(id).as(r.toString()).isNotEmpty();
        List<String> inbox = awaitInbox(remote.store(), "carol@remote.test", 1);
        assertThat(inbox.get(0)).contains("Subject: to the world").contains("Hello from JMAP")
                .contains("DKIM-Signature:").contains("d=example.test").contains("s=jmap-it");
        await(() -> server.store().queue().list().isEmpty(), "the queue entry to be delivered");
        JsonNode got = call(alice, "[[\"EmailSubmission/get\",{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]},\"g\"]]");
        // §7: relayed to another server, so the final status is unknown.
        assertThat(got.at("/0/1/list/0/deliveryStatus/carol@remote.test/delivered").asText()).isEqualTo("unknown");
    }

    @Test
    void thePort587RulesRefuseForeignSendersAndUnknownUsers() throws Exception {
        JsonNode forgedFrom = send(alice, bobAddress, bobAddress, "forged", null);
        assertThat(forgedFrom.at("/1/1/notCreated/s/type").asText()).as(forgedFrom.toString()).isEqualTo("forbiddenFrom");
        JsonNode forgedEnvelope = send(alice, aliceAddress, bobAddress, "forged envelope",
                "{\"mailFrom\":{\"email\":\"" + bobAddress + "\"},\"rcptTo\":[{\"email\":\"" + bobAddress + "\"}]}");
        assertThat(forgedEnvelope.at("/1/1/notCreated/s/type").asText()).isEqualTo("forbiddenMailFrom");
        JsonNode unknown = send(alice, aliceAddress, "nobody@example.test", "nobody", null);
        assertThat(unknown.at("/1/1/notCreated/s/type").asText()).isEqualTo("invalidRecipients");
        assertThat(unknown.at("/1/1/notCreated/s/invalidRecipients/0").asText()).isEqualTo("nobody@example.test");
        assertThat(forgedFrom.size()).as("no implicit Email/set after a failed submission").isEqualTo(2);
        Account bob = server.store().directory().account(bobAddress).orElseThrow();
        assertThat(server.store().mailboxes().find(bob.id(), "INBOX").orElseThrow().messages()).isZero();
    }

    @Test
    void dsnParametersOfTheEnvelopeShapeTheBounce() throws Exception {
        // RFC 8621 §7 envelope parameters through the queue: the remote refuses the recipient, and the
        // failure report (RFC 3464) names ENVID and ORCPT and returns headers only (RET=HDRS, RFC 3461 §4.3).
        JsonNode r = send(alice, aliceAddress, "nobody@remote.test", "to nobody",
                "{\"mailFrom\":{\"email\":\"" + aliceAddress + "\",\"parameters\":{\"RET\":\"HDRS\",\"ENVID\":\"jmap-env-7\"}},"
                + "\"rcptTo\":[{\"email\":\"nobody@remote.test\",\"parameters\":{\"NOTIFY\":\"FAILURE\","
                + "\"ORCPT\":\"rfc822;nobody+2Borig@remote.test\"}}]}");
        assertThat(r.at("/1/1/created/s/id").asText()).as(r.toString()).isNotEmpty();
        List<String> inbox = awaitInbox(server.store(), aliceAddress, 1);
        assertThat(inbox.get(0)).contains("Original-Envelope-Id: jmap-env-7", "Original-Recipient: rfc822;nobody+orig@remote.test",
                "Content-Type: text/rfc822-headers").doesNotContain("Hello from JMAP");
    }

    @Test
    void vacationReplyIsSentOncePerSender() throws Exception {
        JmapTestClient bob = client(bobAddress, "bob-pw");
        JsonNode set = call(bob, "[[\"VacationResponse/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"isEnabled\":true,"
                + "\"textBody\":\"Back next week.\"}}},\"v\"]]");
        assertThat(set.at("/0/1/updated").has("singleton")).as(set.toString()).isTrue();
        send(alice, aliceAddress, bobAddress, "first", null);
        send(alice, aliceAddress, bobAddress, "second", null);
        List<String> replies = awaitInbox(server.store(), aliceAddress, 1);
        assertThat(replies).singleElement().satisfies(m -> assertThat(m)
                .startsWith("Return-Path: <>")
                .contains("Auto-Submitted: auto-replied", "Subject: Auto: first", "From: <" + bobAddress + ">"));
        Account b = server.store().directory().account(bobAddress).orElseThrow();
        assertThat(server.store().mailboxes().find(b.id(), "INBOX").orElseThrow().messages()).isEqualTo(2);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    static List<String> awaitInbox(MailStore store, String user, int count) throws Exception {
        Account a = store.directory().account(user).orElseThrow();
        await(() -> store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow().messages() >= count, user + "'s inbox");
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        List<String> out = new ArrayList<>();
        for (long uid = 1; uid < inbox.uidNext(); uid++) {
            MessageRecord m = store.mailboxes().message(a.id(), inbox.id(), uid).orElse(null);
            if (m == null) continue;
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.Service;
import org.postern.store.OutboundQueue;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * What the outbound queue learns reaches JMAP (RFC 8621 §7 deliveryStatus): one submission to three
 * remote domains whose MX (a scripted sink found through fake DNS) answers 250, 550 and 451. And an
 * RFC 4865 hold asked for on port 587 keeps the message queued while others go out.
 */
class SubmissionStatusIT {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\",\"urn:ietf:params:jmap:submission\"]";

    @TempDir
    Path data;
    private FakeDns dns;
    private SmtpSink sink;
    private TestServer server;
    private HttpClient http;
    private String apiUrl;
    private String accountId;

    @BeforeEach
    void start() throws Exception {
        dns = FakeDns.start();
        for (String d : List.of("yes.test", "no.test", "later.test")) dns.mx(d, 10, "mx." + d).a("mx." + d, "127.0.0.1");
        sink = SmtpSink.start(new SmtpSink.Script() {
            @Override
            public String rcpt(String address, int session) {
                if (address.endsWith("@no.test")) return "550 5.1.1 <" + address + ">: no such user here";
                if (address.endsWith("@later.test")) return "451 4.7.1 greylisted, come back later";
                return "250 2.1.5 Ok";
            }

            @Override
            public String endOfData(int session) {
                return "250 2.0.0 Ok: queued as S" + session;
            }
        });
        server = TestServer.startOn(data, x -> x.withAllowPlaintextAuth(true).withOutbound(OutboundRelayIT.relayVia(dns, sink.port())));
        server.createUser("alice@example.test", "secret");
        http = HttpClient.newBuilder().sslContext(server.sslContext()).connectTimeout(Duration.ofSeconds(5)).build();
        JsonNode session = JSON.readTree(http.send(request("https://localhost:" + server.port(Service.HTTPS) + "/.well-known/jmap")
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        apiUrl = session.path("apiUrl").asText();
        accountId = session.path("primaryAccounts").path("urn:ietf:params:jmap:mail").asText();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        if (sink != null) sink.close();
        if (dns != null) dns.close();
    }

    private HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString("alice@example.test:secret".getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode call(String methodCalls) throws Exception {
        String body = "{\"using\":" + USING + ",\"methodCalls\":" + methodCalls.replace("$A", accountId) + "}";
        HttpResponse<String> r = http.send(request(apiUrl).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("methodResponses");
    }

    private JsonNode submission(String id) throws Exception {
        return call("[[\"EmailSubmission/get\",{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]},\"g\"]]").at("/0/1/list/0");
    }

    @Test
    void eachRecipientsReplyBecomesItsDeliveryStatus() throws Exception {
        String identity = call("[[\"Identity/get\",{\"accountId\":\"$A\"},\"i\"]]").at("/0/1/list/0/id").asText();
        String drafts = call("[[\"Mailbox/query\",{\"accountId\":\"$A\",\"filter\":{\"role\":\"drafts\"}},\"m\"]]")
                .at("/0/1/ids/0").asText();
        JsonNode r = call("[[\"Email/set\",{\"accountId\":\"$A\",\"create\":{\"d\":{\"mailboxIds\":{\"" + drafts + "\":true},"
                + "\"from\":[{\"email\":\"alice@example.test\"}],\"to\":[{\"email\":\"ann@yes.test\"},{\"email\":\"bob@no.test\"},"
                + "{\"email\":\"cat@later.test\"}],\"subject\":\"three ways\",\"bodyValues\":{\"b\":{\"value\":\"hi\"}},"
                + "\"textBody\":[{\"partId\":\"b\",\"type\":\"text/plain\"}]}}},\"0\"],"
                + "[\"EmailSubmission/set\",{\"accountId\":\"$A\",\"create\":{\"s\":{\"identityId\":\"" + identity
                + "\",\"emailId\":\"#d\"}}},\"1\"]]");
        String id = r.at("/1/1/created/s/id").asText();
        assertThat(id).as(r.toString()).isNotEmpty();
        String state = r.at("/1/1/newState").asText();

        await(() -> submission(id).at("/deliveryStatus/bob@no.test/delivered").asText().equals("no")
                && submission(id).at("/deliveryStatus/ann@yes.test/smtpReply").asText().startsWith("250"),
                "the first attempt's results");
        await(() -> submission(id).at("/deliveryStatus/cat@later.test/smtpReply").asText().startsWith("451"), "the 451");
        JsonNode s = submission(id);
        // §7: relayed to another server is "unknown" (not final delivery), with that server's reply.
        assertThat(s.at("/deliveryStatus/ann@yes.test/delivered").asText()).isEqualTo("unknown");
        assertThat(s.at("/deliveryStatus/ann@yes.test/smtpReply").asText()).startsWith("250 2.0.0 Ok: queued as S");
        assertThat(s.at("/deliveryStatus/bob@no.test/smtpReply").asText())
                .isEqualTo("550 5.1.1 <bob@no.test>: no such user here");
        assertThat(s.at("/deliveryStatus/cat@later.test/delivered").asText()).isEqualTo("queued");
        assertThat(s.at("/deliveryStatus/cat@later.test/smtpReply").asText()).isEqualTo("451 4.7.1 greylisted, come back later");
        assertThat(s.path("undoStatus").asText()).isEqualTo("final");
        JsonNode changes = call("[[\"EmailSubmission/changes\",{\"accountId\":\"$A\",\"sinceState\":\"" + state + "\"},\"c\"]]");
        assertThat(changes.at("/0/1/updated").toString()).as(changes.toString()).contains(id);
    }

    @Test
    void aHoldAskedForOnPort587KeepsTheMessageQueued() throws Exception {
        Instant before = Instant.now();
        try (RawClient c = RawClient.connect(server.host(), server.submissionPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            assertThat(String.join("\n", c.readUntil("250 "))).containsPattern("250[- ]FUTURERELEASE 2592000 ");
            c.send("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice@example.test\0secret".getBytes(StandardCharsets.UTF_8)));
            c.expect("235");
            c.send("MAIL FROM:<alice@example.test> HOLDFOR=2592001");
            c.expect("501 5.5.4");
            for (String to : List.of("held@yes.test", "now@yes.test")) {
                c.send("MAIL FROM:<alice@example.test>" + (to.startsWith("held") ? " HOLDFOR=3600" : ""));
                c.expect("250");
                c.send("RCPT TO:<" + to + ">");
                c.expect("250");
                c.send("DATA");
                c.expect("354");
                c.sendRaw("From: <alice@example.test>\r\nTo: <" + to + ">\r\nSubject: " + to + "\r\n\r\nbody\r\n.\r\n");
                c.expect("250");
            }
            c.send("QUIT");
            c.expect("221");
        }
        // The one sent later goes out; the held one, queued first, stays untouched.
        await(() -> sink.accepted().stream().anyMatch(m -> m.recipients().contains("now@yes.test")), "the unheld message");
        // The runner removes the entry only after the sink's 250 reached it.
        await(() -> server.store().queue().list().stream().noneMatch(q -> q.recipients().contains("now@yes.test")),
                "the unheld message to leave the queue");
        assertThat(sink.accepted()).noneMatch(m -> m.recipients().contains("held@yes.test"));
        List<OutboundQueue.QueuedMessage> left = new ArrayList<>(server.store().queue().list());
        assertThat(left).singleElement().satisfies(q -> {
            assertThat(q.recipients()).containsExactly("held@yes.test");
            assertThat(q.attempts()).isZero();
            assertThat(q.options().holdUntil()).isBetween(before.plusSeconds(3600), Instant.now().plusSeconds(3600));
            assertThat(q.nextAttempt()).isEqualTo(q.options().holdUntil());
        });
    }

    interface Condition {
        boolean met() throws Exception;
    }

    static void await(Condition condition, String what) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.met()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}

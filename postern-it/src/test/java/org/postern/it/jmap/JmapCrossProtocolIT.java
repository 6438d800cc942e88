// SPDX-License-Identifier: Apache-2.0
package org.postern.it.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * The whole server: mail that arrives over SMTP is pushed over JMAP EventSource, and JMAP and IMAP
 * see one mailbox state (a flag set over one is seen over the other, and the JMAP state moves).
 */
class JmapCrossProtocolIT {
    static TestServer server;
    static JmapTestClient jmap;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-pw");
        jmap = new JmapTestClient(server.port(Service.HTTPS), server.sslContext(), "alice@example.test", "alice-pw");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void smtpDeliver(String subject) throws Exception {
        smtpDeliver(subject, "");
    }

    private static void smtpDeliver(String subject, String moreHeaders) throws Exception {
        try (RawClient mx = RawClient.connect(server.host(), server.smtpPort())) {
            mx.expect("220 ");
            mx.send("EHLO client.example");
            mx.readUntil("^250 .*");
            mx.send("MAIL FROM:<carol@remote.example>");
            mx.expect("250 ");
            mx.send("RCPT TO:<alice@example.test>");
            mx.expect("250 ");
            mx.send("DATA");
            mx.expect("354 ");
            mx.sendRaw("From: carol@remote.example\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\n" + moreHeaders
                    + "\r\nhello\r\n.\r\n");
            mx.expect("250 ");
        }
    }

    private static String find(String subject) throws Exception {
        JsonNode q = jmap.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"subject\":\"" + subject + "\"}}");
        assertThat(q.get("ids")).hasSize(1);
        return q.get("ids").get(0).asText();
    }

    @Test
    void smtpDeliveryIsPushedOverEventSourceWithinASecond() throws Exception {
        HttpResponse<InputStream> resp = jmap.http.sendAsync(jmap.request(jmap.eventSourceUrl("state", 0))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).isEqualTo(200);
        BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).startsWith(":");
        CompletableFuture<String> event = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) return line.substring(6);
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        smtpDeliver("pushed");
        long afterAck = System.nanoTime();
        JsonNode change = JmapTestClient.JSON.readTree(event.get(10, TimeUnit.SECONDS));
        long pushMs = Duration.ofNanos(System.nanoTime() - afterAck).toMillis();
        System.out.printf("JMAP push latency after SMTP 250: %d ms (SMTP session %d ms)%n", pushMs,
                Duration.ofNanos(afterAck - t0).toMillis());
        assertThat(change.path("@type").asText()).isEqualTo("StateChange");
        assertThat(change.path("changed").path(jmap.accountId).has("Email")).isTrue();
        // RFC 8621 §1.5: a new message is announced as EmailDelivery too (types "*": every type).
        assertThat(change.path("changed").path(jmap.accountId).has("EmailDelivery")).isTrue();
        assertThat(pushMs).isLessThan(1000);
        find("pushed");
    }

    @Test
    void aFlagSetOverJmapIsSeenOverImapAndTheReverse() throws Exception {
        smtpDeliver("crossflag");
        String id = find("crossflag");
        String state0 = jmap.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN alice@example.test alice-pw");
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            imap.readUntil("^b OK.*");
            imap.send("c UID SEARCH SUBJECT crossflag");
            String uid = imap.readUntil("^c OK.*").stream().filter(l -> l.startsWith("* SEARCH ")).findFirst().orElseThrow()
                    .substring("* SEARCH ".length()).trim();
            assertThat(id).endsWith("-" + uid);

            imap.send("d IDLE");
            imap.expect("+ ");
            JsonNode set = jmap.one("Email/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"keywords/$flagged\":true}}}");
            assertThat(set.path("updated").has(id)).isTrue();
            // RFC 9051 §7.5.2: the IDLE session hears about the JMAP change at once.
            imap.expect("^\\* \\d+ FETCH \\(.*\\\\Flagged.*");
            imap.send("DONE");
            imap.readUntil("^d OK.*");

            imap.send("e UID STORE " + uid + " +FLAGS (\\Seen $Important)");
            imap.readUntil("^e OK.*");
        }
        JsonNode e = jmap.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"],\"properties\":[\"keywords\"]}");
        JsonNode kw = e.at("/list/0/keywords");
        assertThat(kw.path("$seen").asBoolean()).isTrue();
        assertThat(kw.path("$flagged").asBoolean()).isTrue();
        assertThat(kw.path("$important").asBoolean()).isTrue();
        assertThat(e.path("state").asText()).isNotEqualTo(state0);
        JsonNode changes = jmap.one("Email/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state0 + "\"}");
        assertThat(changes.get("updated").toString()).contains(id);
    }

    @Test
    void aReplyJoinsItsThreadAndJmapAndImapNameTheThreadAlike() throws Exception {
        // RFC 8621 §3 threadId and RFC 8474 §5.2 THREADID: one conversation id for both protocols.
        smtpDeliver("threadroot", "Message-ID: <root-it@remote.example>\r\n");
        smtpDeliver("Re: threadroot", "Message-ID: <reply-it@remote.example>\r\nIn-Reply-To: <root-it@remote.example>\r\n");
        JsonNode q = jmap.one("Email/query", "{\"accountId\":\"$A\",\"filter\":{\"subject\":\"threadroot\"}}");
        assertThat(q.get("ids")).hasSize(2);
        JsonNode got = jmap.one("Email/get", "{\"accountId\":\"$A\",\"ids\":" + q.get("ids") + ",\"properties\":[\"threadId\",\"messageId\"]}");
        String root = null;
        for (JsonNode e : got.get("list")) if (e.at("/messageId/0").asText().equals("root-it@remote.example")) root = e.get("id").asText();
        assertThat(got.at("/list/0/threadId").asText()).isEqualTo(got.at("/list/1/threadId").asText());
        String thread = got.at("/list/0/threadId").asText();
        JsonNode t = jmap.one("Thread/get", "{\"accountId\":\"$A\",\"ids\":[\"" + thread + "\"]}");
        assertThat(t.at("/list/0/emailIds")).hasSize(2);
        assertThat(t.at("/list/0/emailIds/0").asText()).isEqualTo(root);
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN alice@example.test alice-pw");
            imap.readUntil("^a OK.*");
            imap.send("b SELECT INBOX");
            imap.readUntil("^b OK.*");
            imap.send("c UID SEARCH SUBJECT threadroot");
            String uids = imap.readUntil("^c OK.*").stream().filter(l -> l.startsWith("* SEARCH ")).findFirst().orElseThrow()
                    .substring("* SEARCH ".length()).trim();
            assertThat(uids.split(" ")).hasSize(2);
            imap.send("d UID FETCH " + uids.replace(' ', ',') + " (THREADID)");
            List<String> lines = imap.readUntil("^d OK.*");
            assertThat(lines.stream().filter(l -> l.contains("THREADID (" + thread + ")")).count()).as(lines.toString()).isEqualTo(2);
        }
    }

    @Test
    void plainHttpRedirectsToHttpsAndHttpsSpeaksHttp2WithSecurityHeaders() throws Exception {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port(Service.HTTP)
                + "/.well-known/jmap")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(308);
        assertThat(r.headers().firstValue("location"))
                .hasValue("https://localhost:" + server.port(Service.HTTPS) + "/.well-known/jmap");
        HttpResponse<String> s = jmap.http.send(jmap.request("https://localhost:" + server.port(Service.HTTPS) + "/.well-known/jmap")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(s.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(s.headers().firstValue("strict-transport-security")).isPresent();
        assertThat(s.headers().firstValue("content-security-policy").orElseThrow()).contains("frame-ancestors 'none'");
        assertThat(s.headers().firstValue("referrer-policy")).hasValue("no-referrer");
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/** RFC 8620 over HTTPS: session, API errors of §3.6, echo, upload/download, Blob/copy, EventSource. */
class JmapCoreTest {
    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient alice;

    @BeforeEach
    void start() throws Exception {
        JmapLimits small = new JmapLimits(1000, 4, 100_000, 4, 8, 50, 50, 64, 50_000, 64);
        f = new JmapFixture(tmp, small);
        f.user("alice@example.test", "pw-alice");
        f.user("bob@example.test", "pw-bob");
        alice = f.client("alice@example.test", "pw-alice");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theSessionResourceDescribesCapabilitiesAccountsAndUrls() throws Exception {
        JsonNode s = alice.session();
        JsonNode core = s.path("capabilities").path("urn:ietf:params:jmap:core");
        assertThat(core.path("maxCallsInRequest").asInt()).isEqualTo(8);
        assertThat(core.path("maxSizeUpload").asLong()).isEqualTo(1000);
        for (String k : Set.of("maxConcurrentUpload", "maxSizeRequest", "maxConcurrentRequests", "maxObjectsInGet",
                "maxObjectsInSet", "collationAlgorithms")) {
            assertThat(core.has(k)).as(k).isTrue();
        }
        assertThat(s.path("capabilities").has("urn:ietf:params:jmap:mail")).isTrue();
        String id = s.path("primaryAccounts").path("urn:ietf:params:jmap:mail").asText();
        assertThat(s.path("accounts").path(id).path("name").asText()).isEqualTo("alice@example.test");
        assertThat(s.path("accounts").path(id).path("accountCapabilities").has("urn:ietf:params:jmap:mail")).isTrue();
        assertThat(s.path("username").asText()).isEqualTo("alice@example.test");
        assertThat(s.path("apiUrl").asText()).startsWith("https://localhost:" + f.http.httpsPort() + "/");
        assertThat(s.path("downloadUrl").asText()).contains("{accountId}", "{blobId}", "{name}", "{type}");
        assertThat(s.path("uploadUrl").asText()).contains("{accountId}");
        assertThat(s.path("eventSourceUrl").asText()).contains("{types}", "{closeafter}", "{ping}");
        assertThat(s.path("state").asText()).isNotEmpty();
    }

    @Test
    void withoutOrWithWrongCredentialsTheAnswerIs401WithAChallenge() throws Exception {
        JmapClient wrong = f.client("alice@example.test", "nope");
        HttpResponse<String> r = wrong.get("/.well-known/jmap");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate").orElseThrow()).startsWith("Basic realm=");
        JmapClient unknown = f.client("nobody@example.test", "nope");
        assertThat(unknown.get("/jmap/api/").statusCode()).isEqualTo(401);
    }

    @Test
    void echoReturnsItsArguments() throws Exception {
        // RFC 8620 §4.1 example
        JsonNode r = alice.call("[[\"Core/echo\",{\"hello\":true,\"high\":5},\"b3ff\"]]");
        assertThat(r.toString()).isEqualTo("[[\"Core/echo\",{\"hello\":true,\"high\":5},\"b3ff\"]]");
    }

    private JsonNode problem(String body) throws Exception {
        HttpResponse<String> r = alice.post(body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/problem+json");
        return JmapClient.JSON.readTree(r.body());
    }

    @Test
    void requestLevelErrorsAreProblemDetails() throws Exception {
        String e = "urn:ietf:params:jmap:error:";
        assertThat(problem("{").path("type").asText()).isEqualTo(e + "notJSON");
        assertThat(problem("{\"using\":[]}").path("type").asText()).isEqualTo(e + "notRequest");
        assertThat(problem("{\"using\":[\"urn:ietf:params:jmap:calendars\"],\"methodCalls\":[]}").path("type").asText())
                .isEqualTo(e + "unknownCapability");
        JsonNode limit = problem("{\"using\":[],\"methodCalls\":[" + "[\"Core/echo\",{},\"c\"],".repeat(8) + "[\"Core/echo\",{},\"c\"]]}");
        assertThat(limit.path("type").asText()).isEqualTo(e + "limit");
        assertThat(limit.path("limit").asText()).isEqualTo("maxCallsInRequest");
        assertThat(limit.path("status").asInt()).isEqualTo(400);
        JsonNode size = problem("{\"using\":[],\"methodCalls\":[],\"x\":\"" + "a".repeat(100_001) + "\"}");
        assertThat(size.path("limit").asText()).isEqualTo("maxSizeRequest");
        assertThat(problem("[".repeat(10_000)).path("type").asText()).isEqualTo(e + "limit");
    }

    @Test
    void methodLevelErrorsLeaveTheOtherCallsAlone() throws Exception {
        JsonNode r = alice.call("[[\"Foo/bar\",{},\"a\"],"
                + "[\"Mailbox/get\",{\"accountId\":\"a999\"},\"b\"],"
                + "[\"Mailbox/get\",{\"accountId\":\"$A\",\"ids\":\"m1\"},\"c\"],"
                + "[\"Mailbox/get\",{\"accountId\":\"$A\",\"bogus\":1},\"d\"],"
                + "[\"Mailbox/get\",{\"accountId\":\"$A\",\"#ids\":{\"resultOf\":\"zz\",\"name\":\"Mailbox/get\",\"path\":\"/ids\"}},\"e\"],"
                + "[\"Core/echo\",{\"ok\":1},\"f\"]]");
        assertThat(r.get(0).toString()).isEqualTo("[\"error\",{\"type\":\"unknownMethod\",\"description\":\"unknown method Foo/bar\"},\"a\"]");
        assertThat(r.get(1).get(1).path("type").asText()).isEqualTo("accountNotFound");
        assertThat(r.get(2).get(1).path("type").asText()).isEqualTo("invalidArguments");
        assertThat(r.get(3).get(1).path("type").asText()).isEqualTo("invalidArguments");
        assertThat(r.get(4).get(1).path("type").asText()).isEqualTo("invalidResultReference");
        assertThat(r.get(5).toString()).isEqualTo("[\"Core/echo\",{\"ok\":1},\"f\"]");
    }

    @Test
    void aMethodOfACapabilityNotInUsingIsUnknown() throws Exception {
        HttpResponse<String> r = alice.post("{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":"
                + "[[\"Mailbox/get\",{\"accountId\":\"" + alice.accountId() + "\"},\"c\"]]}");
        assertThat(JmapClient.JSON.readTree(r.body()).at("/methodResponses/0/1/type").asText()).isEqualTo("unknownMethod");
    }

    @Test
    void uploadDownloadAndBlobCopyStayInsideTheAccount() throws Exception {
        byte[] data = "hello blob".getBytes(StandardCharsets.UTF_8);
        JsonNode up = alice.upload(data, "text/plain");
        String blobId = up.path("blobId").asText();
        assertThat(blobId).matches("[A-Za-z0-9_-]{22,}");
        assertThat(up.path("size").asInt()).isEqualTo(data.length);
        assertThat(up.path("type").asText()).isEqualTo("text/plain");
        String url = alice.downloadUrl(alice.accountId(), blobId, "..pass%22wd%3B.txt", "text/html");
        HttpResponse<byte[]> d = alice.getBytes(url);
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(d.body()).isEqualTo(data);
        assertThat(d.headers().firstValue("content-disposition").orElseThrow()).startsWith("attachment;")
                .contains("filename=\"pass_wd_.txt\"", "filename*=UTF-8''pass_wd_.txt");
        assertThat(d.headers().firstValue("content-security-policy").orElseThrow()).contains("sandbox");

        JmapClient bob = f.client("bob@example.test", "pw-bob");
        // Bob with Alice's blob: in his account and in hers, the same 404 as a blob that does not exist.
        assertThat(bob.getBytes(bob.downloadUrl(bob.accountId(), blobId, "x", "text/plain")).statusCode()).isEqualTo(404);
        assertThat(bob.getBytes(bob.downloadUrl(alice.accountId(), blobId, "x", "text/plain")).statusCode()).isEqualTo(404);
        assertThat(bob.getBytes(bob.downloadUrl(bob.accountId(), "0".repeat(32), "x", "text/plain")).statusCode()).isEqualTo(404);
        JsonNode copy = bob.one("Blob/copy", "{\"fromAccountId\":\"" + bob.accountId() + "\",\"accountId\":\"$A\",\"blobIds\":[\"" + blobId + "\"]}");
        assertThat(copy.path("notCopied").path(blobId).path("type").asText()).isEqualTo("notFound");
        JsonNode cross = bob.call("[[\"Blob/copy\",{\"fromAccountId\":\"" + alice.accountId() + "\",\"accountId\":\"$A\",\"blobIds\":[\"" + blobId + "\"]},\"c\"]]");
        assertThat(cross.at("/0/1/type").asText()).isEqualTo("fromAccountNotFound");
        JsonNode mine = alice.one("Blob/copy", "{\"fromAccountId\":\"$A\",\"accountId\":\"$A\",\"blobIds\":[\"" + blobId + "\"]}");
        assertThat(mine.path("copied").path(blobId).asText()).isEqualTo(blobId);
    }

    @Test
    void anUploadAboveTheLimitIsRefusedWhileStreaming() throws Exception {
        alice.session();
        String url = alice.session.get("uploadUrl").asText().replace("{accountId}", alice.accountId());
        var h1 = java.net.http.HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf())
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        // A declared length above the limit: refused before any byte is read.
        HttpResponse<String> declared = h1.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", alice.authorization)
                .expectContinue(true).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5_000_000])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("maxSizeUpload");
        // No length: the limit holds while reading; the client sees 413 or a reset stream, never 201.
        try {
            HttpResponse<String> r = alice.http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", alice.authorization)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                        long left = 5_000_000;

                        @Override
                        public int read() {
                            return left-- > 0 ? 'x' : -1;
                        }
                    })).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
        } catch (java.io.IOException reset) {
            assertThat(reset.getMessage()).containsAnyOf("RST_STREAM", "reset", "closed");
        }
        assertThat(alice.upload(new byte[1000], "application/octet-stream").path("size").asInt()).isEqualTo(1000);
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readNBytes(2000), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void eventStreamsPerAccountAreCapped() throws Exception {
        alice.session();
        String url = alice.session.get("eventSourceUrl").asText().replace("{types}", "*").replace("{closeafter}", "no")
                .replace("{ping}", "0");
        java.util.List<HttpResponse<InputStream>> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < EventSourceEndpoint.MAX_PER_ACCOUNT; i++) {
                HttpResponse<InputStream> r = alice.http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", alice.authorization).build(), HttpResponse.BodyHandlers.ofInputStream())
                        .get(10, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                open.add(r);
            }
            HttpResponse<String> refused = alice.http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", alice.authorization).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(429);
            // Another account is not affected by Alice's streams.
            JmapClient bob = f.client("bob@example.test", "pw-bob");
            bob.session();
            String bobUrl = bob.session.get("eventSourceUrl").asText().replace("{types}", "*").replace("{closeafter}", "no")
                    .replace("{ping}", "0");
            HttpResponse<InputStream> ok = bob.http.sendAsync(HttpRequest.newBuilder(URI.create(bobUrl))
                    .header("Authorization", bob.authorization).build(), HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
            assertThat(ok.statusCode()).isEqualTo(200);
            ok.body().close();
        } finally {
            for (HttpResponse<InputStream> r : open) r.body().close();
        }
    }

    @Test
    void eventSourcePushesAStateChangeWhenMailArrives() throws Exception {
        alice.session();
        String url = alice.session.get("eventSourceUrl").asText().replace("{types}", "*").replace("{closeafter}", "state")
                .replace("{ping}", "0");
        CompletableFuture<HttpResponse<InputStream>> stream = alice.http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", alice.authorization).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> resp = stream.get(10, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).as(() -> readAll(resp.body())).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).isEqualTo(": postern");
        long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        Mailbox inbox = f.store.mailboxes().find(acc, "INBOX").orElseThrow();
        var w = f.store.blobs().create();
        w.stream().write("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        String blob = w.commit();
        long t0 = System.nanoTime();
        f.store.mailboxes().append(acc, inbox.id(), blob, 21, Set.of(), Instant.now());
        CompletableFuture<String> data = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) return line.substring(6);
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        JsonNode change = JmapClient.JSON.readTree(data.get(10, TimeUnit.SECONDS));
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertThat(change.path("@type").asText()).isEqualTo("StateChange");
        JsonNode states = change.path("changed").path(alice.accountId());
        assertThat(states.has("Email")).isTrue();
        assertThat(states.has("Mailbox")).isTrue();
        JsonNode get = alice.one("Email/get", "{\"accountId\":\"$A\",\"ids\":[],\"properties\":[\"id\"]}");
        assertThat(states.path("Email").asText()).isEqualTo(get.path("state").asText());
        assertThat(ms).as("push latency").isLessThan(1000);
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.AuthThrottle;
import org.postern.jmap.proto.JmapLimits;

/** The JMAP rows of HOSTILE.md over the wire: A19 throttling, A47/A62 limits and bombs, A60 push, A61 blobs. */
class JmapHostileTest {
    static final JmapLimits LIMITS = new JmapLimits(10_000, 2, 100_000, 4, 8, 50, 50, 64, 50_000, 64);
    static final AuthThrottle.Policy STRICT = new AuthThrottle.Policy(3, Duration.ofMinutes(15), Duration.ZERO);
    static final Uploads.Quota QUOTA = new Uploads.Quota(25_000, 100, Duration.ofHours(1));

    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient alice;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, LIMITS, STRICT, QUOTA);
        f.user("alice@example.test", "pw-alice");
        f.user("bob@example.test", "pw-bob");
        alice = f.client("alice@example.test", "pw-alice");
        alice.session();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private JsonNode problem(String body) throws Exception {
        HttpResponse<String> r = alice.post(body);
        assertThat(r.statusCode()).as(body.length() > 80 ? body.substring(0, 80) : body).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/problem+json");
        return JmapClient.JSON.readTree(r.body());
    }

    @Test
    void guessingOverBasicAndTheLoginFormIsThrottledWithRetryAfter() throws Exception {
        JmapClient wrong = f.client("alice@example.test", "nope");
        for (int i = 0; i < STRICT.maxFailures(); i++) assertThat(wrong.get("/.well-known/jmap").statusCode()).isEqualTo(401);
        HttpResponse<String> blocked = wrong.get("/.well-known/jmap");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("retry-after")).hasValue("60");
        // Once blocked, even the right password is not checked from this address (the answer is the same for
        // every user name, so it tells nothing about which accounts exist).
        assertThat(f.client("alice@example.test", "pw-alice").get("/.well-known/jmap").statusCode()).isEqualTo(429);
        assertThat(f.client("nobody@example.test", "x").get("/.well-known/jmap").statusCode()).isEqualTo(429);
        HttpClient h = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).build();
        HttpResponse<String> login = h.send(HttpRequest.newBuilder(URI.create(f.base() + "/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"pw-alice\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(429);
        assertThat(login.headers().firstValue("retry-after")).hasValue("60");
        assertThat(login.headers().firstValue("set-cookie")).isEmpty();
    }

    @Test
    void loginFormFailuresCountTowardsTheSameThrottle() throws Exception {
        HttpClient h = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).build();
        for (int i = 0; i < STRICT.maxFailures(); i++) {
            assertThat(h.send(HttpRequest.newBuilder(URI.create(f.base() + "/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"u" + i + "@example.test\",\"password\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
        assertThat(alice.get("/.well-known/jmap").statusCode()).isEqualTo(429);
    }

    @Test
    void jsonBombsAreRequestLevelLimitOrNotJsonErrors() throws Exception {
        String e = "urn:ietf:params:jmap:error:";
        assertThat(problem("[".repeat(50_000)).path("type").asText()).isEqualTo(e + "limit");
        assertThat(problem("{\"using\":[],\"methodCalls\":[[\"Core/echo\"," + "{\"a\":".repeat(200) + "1" + "}".repeat(200) + ",\"c\"]]}")
                .path("type").asText()).isEqualTo(e + "limit");
        assertThat(problem("{\"using\":[],\"methodCalls\":[],\"n\":1" + "0".repeat(1000) + "}").path("type").asText())
                .isEqualTo(e + "limit");
        assertThat(problem("{\"using\":[],\"using\":[],\"methodCalls\":[]}").path("type").asText()).isEqualTo(e + "notJSON");
        assertThat(problem("{\"using\":[],\"methodCalls\":[],\"s\":\"" + "a".repeat(60_000) + "\"}").path("type").asText())
                .isEqualTo(e + "limit");
        JsonNode size = problem("{\"using\":[],\"methodCalls\":[],\"s\":\"" + "a".repeat(120_000) + "\"}");
        assertThat(size.path("limit").asText()).isEqualTo("maxSizeRequest");
        JsonNode calls = problem("{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":["
                + "[\"Core/echo\",{},\"c\"],".repeat(LIMITS.maxCallsInRequest()) + "[\"Core/echo\",{},\"c\"]]}");
        assertThat(calls.path("limit").asText()).isEqualTo("maxCallsInRequest");
        // A huge exponent is parsed as a double, never expanded (BigDecimal of 10^999999): the call answers at once.
        long t0 = System.nanoTime();
        JsonNode echo = alice.call("[[\"Core/echo\",{\"x\":1e999999,\"y\":-1e-999999},\"c\"]]");
        assertThat(echo.at("/0/0").asText()).isEqualTo("Core/echo");
        assertThat(echo.at("/0/1/x").isMissingNode()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        // The server still answers normally afterwards.
        assertThat(alice.call("[[\"Core/echo\",{\"ok\":true},\"c\"]]").at("/0/1/ok").asBoolean()).isTrue();
    }

    @Test
    void uploadsToAnotherAccountAndItsBlobsAreNotFound() throws Exception {
        JmapClient bob = f.client("bob@example.test", "pw-bob");
        String bobBlob = bob.upload("bob's secret".getBytes(), "text/plain").path("blobId").asText();
        HttpResponse<byte[]> theirs = alice.getBytes(alice.downloadUrl(bob.accountId(), bobBlob, "x", "text/plain"));
        HttpResponse<byte[]> inMine = alice.getBytes(alice.downloadUrl(alice.accountId(), bobBlob, "x", "text/plain"));
        HttpResponse<byte[]> none = alice.getBytes(alice.downloadUrl(alice.accountId(), "Z".repeat(43), "x", "text/plain"));
        // 404, not 403, with the same body: existence is not confirmed (A61).
        assertThat(theirs.statusCode()).isEqualTo(404);
        assertThat(inMine.statusCode()).isEqualTo(404);
        assertThat(new String(theirs.body())).isEqualTo(new String(none.body())).isEqualTo(new String(inMine.body()));
        HttpResponse<String> up = alice.http.send(HttpRequest.newBuilder(URI.create(f.base() + "/jmap/upload/" + bob.accountId() + "/"))
                .header("Authorization", alice.authorization).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(404);
    }

    @Test
    void pendingUploadsHaveAQuotaThatPushesOutTheOldest() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) ids.add(alice.upload(new byte[8_000 + i], "application/octet-stream").path("blobId").asText());
        long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
        // 4 x 8 kB against a 25 kB quota: the first is gone, the last three are readable.
        assertThat(f.jmap.uploads().pendingBytes(acc)).isLessThanOrEqualTo(QUOTA.bytesPerAccount());
        assertThat(alice.getBytes(alice.downloadUrl(alice.accountId(), ids.get(0), "x", "a/b")).statusCode()).isEqualTo(404);
        for (String id : ids.subList(1, 4)) {
            assertThat(alice.getBytes(alice.downloadUrl(alice.accountId(), id, "x", "a/b")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void concurrentUploadsPerAccountAreCapped() throws Exception {
        String path = "/jmap/upload/" + alice.accountId() + "/";
        String url = f.base() + path;
        List<javax.net.ssl.SSLSocket> held = new ArrayList<>();
        try {
            // Uploads whose bodies are half sent stay in flight as long as the test holds them.
            for (int i = 0; i < LIMITS.maxConcurrentUpload(); i++) {
                var s = (javax.net.ssl.SSLSocket) f.tls.clientContextTrustingSelf().getSocketFactory()
                        .createSocket("127.0.0.1", f.http.httpsPort());
                s.setSoTimeout(20_000);
                s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + alice.authorization
                        + "\r\nContent-Length: 20\r\n\r\n0123456789").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                held.add(s);
            }
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (f.jmap.uploads().running(acc) < LIMITS.maxConcurrentUpload() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(f.jmap.uploads().running(acc)).isEqualTo(LIMITS.maxConcurrentUpload());
            int status = 0;
            while (System.nanoTime() < deadline && status != 429) {
                status = alice.http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", alice.authorization)
                        .POST(HttpRequest.BodyPublishers.ofString("y")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                if (status != 429) Thread.sleep(50);
            }
            assertThat(status).as("an upload beyond maxConcurrentUpload").isEqualTo(429);
            for (var s : held) {
                s.getOutputStream().write("0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
                assertThat(line).startsWith("HTTP/1.1 201");
            }
        } finally {
            for (var s : held) s.close();
        }
        assertThat(alice.upload("z".getBytes(), "text/plain").path("size").asInt()).isEqualTo(1);
    }

    @Test
    void webSocketsPerAccountAreCapped() throws Exception {
        java.net.http.HttpClient h1 = java.net.http.HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf())
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        URI url = URI.create("wss://localhost:" + f.http.httpsPort() + "/jmap/ws");
        List<java.net.http.WebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < JmapHandler.MAX_SOCKETS_PER_ACCOUNT; i++) {
                open.add(h1.newWebSocketBuilder().header("Authorization", alice.authorization).subprotocols("jmap")
                        .buildAsync(url, new java.net.http.WebSocket.Listener() {}).get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            var extra = h1.newWebSocketBuilder().header("Authorization", alice.authorization).subprotocols("jmap")
                    .buildAsync(url, new java.net.http.WebSocket.Listener() {});
            assertThat(extra).failsWithin(10, java.util.concurrent.TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(java.net.http.WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(429));
            // Another account is not affected, and closing one frees a slot.
            JmapClient bob = f.client("bob@example.test", "pw-bob");
            h1.newWebSocketBuilder().header("Authorization", bob.authorization).subprotocols("jmap")
                    .buildAsync(url, new java.net.http.WebSocket.Listener() {}).get(10, java.util.concurrent.TimeUnit.SECONDS).abort();
            open.removeFirst().sendClose(1000, "bye").get(10, java.util.concurrent.TimeUnit.SECONDS);
            long deadline = System.nanoTime() + 10_000_000_000L;
            java.net.http.WebSocket again = null;
            while (again == null && System.nanoTime() < deadline) {
                try {
                    again = h1.newWebSocketBuilder().header("Authorization", alice.authorization).subprotocols("jmap")
                            .buildAsync(url, new java.net.http.WebSocket.Listener() {}).get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException stillFull) {
                    Thread.sleep(50);
                }
            }
            assertThat(again).isNotNull();
            open.add(again);
        } finally {
            for (var w : open) w.abort();
        }
    }

    @Test
    void pushSubscriptionsToArbitraryUrlsAreRefusedAndNothingIsContacted() throws Exception {
        try (ServerSocket victim = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String[] urls = {"http://169.254.169.254/latest/meta-data/", "https://127.0.0.1:" + victim.getLocalPort() + "/push",
                "http://127.0.0.1:25/", "https://push.example.com/x"};
            StringBuilder create = new StringBuilder();
            for (int i = 0; i < urls.length; i++) {
                if (i > 0) create.append(',');
                create.append("\"p").append(i).append("\":{\"deviceClientId\":\"d\",\"url\":\"").append(urls[i]).append("\",\"types\":null}");
            }
            JsonNode r = alice.call("[[\"PushSubscription/set\",{\"create\":{" + create + "},\"destroy\":[\"nope\"]},\"c\"],"
                    + "[\"PushSubscription/get\",{\"ids\":null},\"g\"]]");
            JsonNode set = r.at("/0/1");
            assertThat(r.at("/0/0").asText()).isEqualTo("PushSubscription/set");
            for (int i = 0; i < urls.length; i++) {
                assertThat(set.at("/notCreated/p" + i + "/type").asText()).as(urls[i]).isEqualTo("forbidden");
            }
            assertThat(set.path("created").isNull()).isTrue();
            assertThat(set.has("accountId")).isFalse();
            assertThat(set.has("newState")).isFalse();
            assertThat(set.at("/notDestroyed/nope/type").asText()).isEqualTo("notFound");
            assertThat(r.at("/1/1/list").size()).isZero();
            victim.setSoTimeout(1500);
            try {
                victim.accept().close();
                throw new AssertionError("the server connected to a client-supplied push URL");
            } catch (SocketTimeoutException expected) {
                // nothing came
            }
        }
    }
}

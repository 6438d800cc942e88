// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;

/** RFC 8887: requests, request errors and push over a WebSocket. */
class JmapWebSocketTest {
    @TempDir
    Path tmp;

    @Test
    void requestsAndPushOverOneSocket() throws Exception {
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            JsonNode cap = c.session().path("capabilities").path("urn:ietf:params:jmap:websocket");
            assertThat(cap.path("supportsPush").asBoolean()).isTrue();
            String url = cap.path("url").asText();
            assertThat(url).startsWith("wss://");
            LinkedBlockingQueue<String> in = new LinkedBlockingQueue<>();
            HttpClient h1 = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).build();
            WebSocket ws = h1.newWebSocketBuilder().header("Authorization", c.authorization).subprotocols("jmap")
                    .buildAsync(URI.create(url), new WebSocket.Listener() {
                        final StringBuilder buf = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            buf.append(data);
                            if (last) {
                                in.add(buf.toString());
                                buf.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).exceptionally(t -> {
                        if (t.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                            throw new AssertionError("handshake: " + h.getResponse().statusCode() + " " + h.getResponse().body());
                        }
                        throw new AssertionError(t);
                    }).get(10, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("jmap");
            ws.sendText("{\"@type\":\"Request\",\"id\":\"r1\",\"using\":[\"urn:ietf:params:jmap:core\"],"
                    + "\"methodCalls\":[[\"Core/echo\",{\"x\":1},\"c\"]]}", true).get(5, TimeUnit.SECONDS);
            JsonNode r = JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS));
            assertThat(r.path("@type").asText()).isEqualTo("Response");
            assertThat(r.path("requestId").asText()).isEqualTo("r1");
            assertThat(r.at("/methodResponses/0/1/x").asInt()).isEqualTo(1);

            ws.sendText("{\"@type\":\"Request\",\"id\":\"r2\",\"using\":[\"urn:x\"],\"methodCalls\":[]}", true).get(5, TimeUnit.SECONDS);
            JsonNode err = JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS));
            assertThat(err.path("@type").asText()).isEqualTo("RequestError");
            assertThat(err.path("requestId").asText()).isEqualTo("r2");
            assertThat(err.path("type").asText()).isEqualTo("urn:ietf:params:jmap:error:unknownCapability");

            ws.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":[\"Email\"]}", true).get(5, TimeUnit.SECONDS);
            // Messages are handled in order: once this answer is here, push is on.
            ws.sendText("{\"@type\":\"Request\",\"id\":\"r3\",\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS)).path("requestId").asText()).isEqualTo("r3");
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            var w = f.store.blobs().create();
            w.stream().write("Subject: ws\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            String blob = w.commit();
            f.store.mailboxes().append(acc, f.store.mailboxes().find(acc, "INBOX").orElseThrow().id(), blob, 18, Set.of(), Instant.now());
            JsonNode push = JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS));
            assertThat(push.path("@type").asText()).isEqualTo("StateChange");
            assertThat(push.path("changed").path(c.accountId()).has("Email")).isTrue();
            assertThat(push.path("changed").path(c.accountId()).has("Mailbox")).isFalse();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }
    /** Opens a socket with subprotocol jmap; its text messages arrive in {@code in}. */
    static WebSocket open(JmapFixture f, JmapClient c, LinkedBlockingQueue<String> in) throws Exception {
        String url = c.session().path("capabilities").path("urn:ietf:params:jmap:websocket").path("url").asText();
        HttpClient h1 = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).build();
        return h1.newWebSocketBuilder().header("Authorization", c.authorization).subprotocols("jmap")
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            in.add(buf.toString());
                            buf.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    /** The types named by StateChanges received until {@code want} are all seen or the deadline passes. */
    static Set<String> changedTypes(LinkedBlockingQueue<String> in, String accountId, Set<String> want) throws Exception {
        Set<String> seen = new java.util.HashSet<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!seen.containsAll(want) && System.nanoTime() < end) {
            String m = in.poll(500, TimeUnit.MILLISECONDS);
            if (m == null) continue;
            JsonNode n = JmapClient.JSON.readTree(m);
            if (n.path("@type").asText().equals("StateChange")) n.path("changed").path(accountId).fieldNames().forEachRemaining(seen::add);
        }
        return seen;
    }

    @Test
    void everyDataTypeIsPushed() throws Exception {
        // RFC 8620 §7.1 StateChange for each type of the capabilities in use; RFC 8621 §1.5 EmailDelivery.
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            LinkedBlockingQueue<String> in = new LinkedBlockingQueue<>();
            WebSocket ws = open(f, c, in);
            ws.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":null}", true).get(5, TimeUnit.SECONDS);
            ws.sendText("{\"@type\":\"Request\",\"id\":\"r\",\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS)).path("requestId").asText()).isEqualTo("r");

            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            var w = f.store.blobs().create();
            w.stream().write("Subject: ws\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            String blob = w.commit();
            f.store.mailboxes().append(acc, f.store.mailboxes().find(acc, "INBOX").orElseThrow().id(), blob, 18, Set.of(), Instant.now());
            assertThat(changedTypes(in, c.accountId(), Set.of("Email", "Thread", "Mailbox", "EmailDelivery")))
                    .contains("Email", "Thread", "Mailbox", "EmailDelivery");

            c.callUsing("[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:submission\"]",
                    "[[\"Identity/set\",{\"accountId\":\"$A\",\"create\":{\"i\":{\"email\":\"alice@example.test\",\"name\":\"A\"}}},\"c\"]]");
            assertThat(changedTypes(in, c.accountId(), Set.of("Identity"))).contains("Identity").doesNotContain("Email");
            c.callUsing("[\"urn:ietf:params:jmap:core\",\"urn:postern:params:jmap:settings\"]",
                    "[[\"Settings/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"webmail\":{\"a\":1}}}},\"c\"]]");
            assertThat(changedTypes(in, c.accountId(), Set.of("Settings"))).contains("Settings");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }
    @Test
    void aReconnectingClientWithItsPushStateHearsWhatChangedMeanwhile() throws Exception {
        // RFC 8887 §4.3.5: StateChange carries pushState; WebSocketPushEnable with it pushes the changes since.
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            String settings = "[\"urn:ietf:params:jmap:core\",\"urn:postern:params:jmap:settings\"]";
            LinkedBlockingQueue<String> in = new LinkedBlockingQueue<>();
            WebSocket ws = open(f, c, in);
            ws.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":[\"Settings\",\"Mailbox\"]}", true).get(5, TimeUnit.SECONDS);
            ws.sendText("{\"@type\":\"Request\",\"id\":\"r\",\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS)).path("requestId").asText()).isEqualTo("r");
            c.callUsing(settings, "[[\"Settings/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"webmail\":{\"a\":1}}}},\"c\"]]");
            JsonNode first = JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS));
            String pushState = first.path("pushState").asText();
            assertThat(pushState).isNotEmpty();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "away").get(5, TimeUnit.SECONDS);

            c.callUsing(settings, "[[\"Settings/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"webmail\":{\"a\":2}}}},\"c\"]]");
            LinkedBlockingQueue<String> again = new LinkedBlockingQueue<>();
            WebSocket back = open(f, c, again);
            back.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":[\"Settings\",\"Mailbox\"],\"pushState\":\""
                    + pushState + "\"}", true).get(5, TimeUnit.SECONDS);
            JsonNode missed = JmapClient.JSON.readTree(again.poll(10, TimeUnit.SECONDS));
            assertThat(missed.path("@type").asText()).isEqualTo("StateChange");
            assertThat(missed.path("changed").path(c.accountId()).has("Settings")).isTrue();
            assertThat(missed.path("changed").path(c.accountId()).has("Mailbox")).isFalse();
            // A pushState that is not ours is no pushState: nothing is pushed for it.
            LinkedBlockingQueue<String> third = new LinkedBlockingQueue<>();
            WebSocket junk = open(f, c, third);
            junk.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":null,\"pushState\":\"!!not-ours\"}", true)
                    .get(5, TimeUnit.SECONDS);
            junk.sendText("{\"@type\":\"Request\",\"id\":\"q\",\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(JmapClient.JSON.readTree(third.poll(10, TimeUnit.SECONDS)).path("requestId").asText()).isEqualTo("q");
            back.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            junk.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }
}

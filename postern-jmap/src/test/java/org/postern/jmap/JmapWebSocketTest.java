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
}

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
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.method.SettingsMethods;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.ChangeEvent;
import org.postern.store.IdentityStore;
import org.postern.store.MailStore;
import org.postern.store.MetadataStore;
import org.postern.store.SubmissionStore;
import org.postern.store.VacationStore;
import org.postern.store.sqlite.SqliteMailStore;

/**
 * Push (RFC 8620 §7, RFC 8887 §4.3.5) of changes nobody made over JMAP: the CLI writing to the same
 * store from another process, the queue runner recording a delivery. The store's change feed is the
 * only path, so each must arrive within a second of its commit (timed from the write's return).
 */
class JmapStorePushTest {
    private static final Duration LATENCY = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    @Test
    void changesByAnotherProcessArePushedOverWebSocketWithinASecond() throws Exception {
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            LinkedBlockingQueue<String> in = new LinkedBlockingQueue<>();
            WebSocket ws = JmapWebSocketTest.open(f, c, in);
            ws.sendText("{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":null}", true).get(5, TimeUnit.SECONDS);
            // Once the request is answered the enable has taken effect (messages are handled in order).
            ws.sendText("{\"@type\":\"Request\",\"id\":\"r\",\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[]}", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(JmapClient.JSON.readTree(in.poll(10, TimeUnit.SECONDS)).path("requestId").asText()).isEqualTo("r");

            try (MailStore cli = SqliteMailStore.open(tmp.resolve("data"))) {
                cli.identities().create(new IdentityStore.Identity(0, acc, "From the CLI", "alice@example.test", null, null,
                        "", "", true));
                long t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "Identity", t0);

                cli.vacation().put(acc, new VacationStore.Vacation(true, null, null, "Away", "Back on Monday", null));
                t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "VacationResponse", t0);

                cli.directory().setSetting("alice@example.test", "pop3", "delete");
                t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "Settings", t0);

                // The webmail's preferences: a /private server annotation (RFC 5464 §3.2).
                cli.metadata().apply(Map.of(MetadataStore.Scope.serverPrivate(acc),
                        Map.of(SettingsMethods.WEBMAIL_ENTRY, "{\"theme\":\"dark\"}".getBytes(StandardCharsets.UTF_8))));
                t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "Settings", t0);

                SubmissionStore.Submission s = cli.submissions().create(new SubmissionStore.Submission(0, acc, 1, "e1-1", "T1",
                        "alice@example.test", List.of("bob@example.net"), List.of(), 7, Instant.now(), "pending"));
                t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "EmailSubmission", t0);

                cli.submissions().setUndoStatus(acc, s.id(), "final");
                t0 = System.nanoTime(); // committed
                assertPushed(in, c.accountId(), "EmailSubmission", t0);
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theQueueRecordingADeliveryPushesEmailSubmissionOverEventSource() throws Exception {
        try (JmapFixture f = new JmapFixture(tmp, JmapLimits.DEFAULT)) {
            f.user("alice@example.test", "pw");
            JmapClient c = f.client("alice@example.test", "pw");
            long acc = f.store.directory().account("alice@example.test").orElseThrow().id();
            SubmissionStore.Submission s = f.store.submissions().create(new SubmissionStore.Submission(0, acc, 1, "e1-1", "T1",
                    "alice@example.test", List.of("bob@example.net"), List.of(), 42, Instant.now(), "pending"));
            String url = c.session().get("eventSourceUrl").asText().replace("{types}", "EmailSubmission,Identity")
                    .replace("{closeafter}", "no").replace("{ping}", "0");
            HttpResponse<InputStream> stream = c.http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", c.authorization).build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(10, TimeUnit.SECONDS);
            assertThat(stream.statusCode()).isEqualTo(200);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                assertThat(reader.readLine()).isEqualTo(": postern");
                // What the queue runner does after an attempt (RFC 8621 §7 deliveryStatus, undoStatus "final").
                f.store.submissions().recordDelivery(42, List.of(new SubmissionStore.Delivery("bob@example.net", "yes",
                        "250 2.0.0 Ok")), -1);
                long t0 = System.nanoTime(); // committed
                String data = JmapSettingsTest.nextState(reader);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                String state = Long.toString(f.store.submissions().state(acc));
                assertThat(data).contains("\"EmailSubmission\":\"" + state + "\"").doesNotContain("\"Identity\"");
                assertThat(took).isLessThan(LATENCY);
                assertThat(f.store.submissions().get(acc, s.id()).orElseThrow().undoStatus()).isEqualTo("final");
            } finally {
                stream.body().close();
            }
        }
    }

    @Test
    void eventsWakeOnlyStreamsWhoseTypesTheyCanMove() {
        Set<String> settings = Set.of("Settings");
        Set<String> mail = Set.of("Email", "Mailbox");
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 5, 9,
                ChangeEvent.Kind.MESSAGES), settings)).isFalse();
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 5, 9,
                ChangeEvent.Kind.MESSAGES), mail)).isTrue();
        // An account-wide event (a feed resync after a gap) may stand for anything.
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 0, 9,
                ChangeEvent.Kind.MAILBOXES), settings)).isTrue();
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 0, 3,
                ChangeEvent.Kind.IDENTITIES), mail)).isFalse();
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 0, 3,
                ChangeEvent.Kind.IDENTITIES), Set.of("Identity"))).isTrue();
        assertThat(EventSourceEndpoint.concerns(new ChangeEvent(1, 0, 0,
                ChangeEvent.Kind.ACCOUNT), mail)).isTrue();
        // Annotations move Settings only through the webmail's /private server entry.
        assertThat(EventSourceEndpoint.concerns(ChangeEvent.metadata(MetadataStore.Scope.serverPrivate(1),
                SettingsMethods.WEBMAIL_ENTRY), settings)).isTrue();
        assertThat(EventSourceEndpoint.concerns(ChangeEvent.metadata(MetadataStore.Scope.mailboxShared(1, 5),
                "/shared/comment"), settings)).isFalse();
        assertThat(EventSourceEndpoint.concerns(ChangeEvent.metadata(MetadataStore.Scope.serverPrivate(1),
                SettingsMethods.WEBMAIL_ENTRY), mail)).isFalse();
    }

    /** The next StateChange names {@code type}, and came within {@link #LATENCY} of {@code t0}. */
    private static void assertPushed(LinkedBlockingQueue<String> in, String accountId, String type, long t0) throws Exception {
        long end = t0 + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            String m = in.poll(100, TimeUnit.MILLISECONDS);
            if (m == null) continue;
            JsonNode n = JmapClient.JSON.readTree(m);
            if (!n.path("@type").asText().equals("StateChange") || !n.path("changed").path(accountId).has(type)) continue;
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(type).isLessThan(LATENCY);
            return;
        }
        throw new AssertionError("no StateChange for " + type);
    }
}

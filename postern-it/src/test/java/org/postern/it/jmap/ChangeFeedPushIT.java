// SPDX-License-Identifier: Apache-2.0
package org.postern.it.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.Main;
import org.postern.server.cli.CliContext;
import org.postern.server.config.Service;
import org.postern.store.sqlite.SqliteMailStore;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * The store's change feed carries every kind of object to every protocol: an account setting changed
 * by the CLI (another store instance on the same data, as from another process) is pushed to a JMAP
 * EventSource within a second (RFC 8620 §7.3), and the webmail preferences saved over JMAP (a /private
 * server annotation) reach an IMAP session that asked NOTIFY for ServerMetadataChange (RFC 5465 §5.10,
 * RFC 5464 §4.4.2).
 */
class ChangeFeedPushIT {
    private static final Duration WITHIN = Duration.ofSeconds(1);
    private static final String SETTINGS_USING = "[\"urn:ietf:params:jmap:core\",\"urn:postern:params:jmap:settings\"]";
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

    private static void cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of(), () -> null, SqliteMailStore::open);
        String[] full = new String[args.length + 2];
        full[0] = "--data";
        full[1] = server.dataDir().toString();
        System.arraycopy(args, 0, full, 2, args.length);
        assertThat(Main.run(ctx, full)).as("postern %s: %s", String.join(" ", args), out).isZero();
    }

    private static JsonNode settingsCall(String methodCalls) throws Exception {
        String body = "{\"using\":" + SETTINGS_USING + ",\"methodCalls\":" + methodCalls.replace("$A", jmap.accountId) + "}";
        HttpResponse<String> r = jmap.http.send(jmap.request(jmap.session.get("apiUrl").asText())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JmapTestClient.JSON.readTree(r.body()).get("methodResponses");
    }

    /** The data of the next "state" event; readLine blocks, the request's timeout bounds it. */
    private static String nextState(BufferedReader in) throws Exception {
        boolean state = false;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("event: state")) state = true;
            else if (state && line.startsWith("data: ")) return line.substring(6);
        }
        throw new AssertionError("stream ended");
    }

    @Test
    void aSettingChangedByTheCliIsPushedWithinASecond() throws Exception {
        String url = jmap.session.get("eventSourceUrl").asText().replace("{types}", "Settings,Identity")
                .replace("{closeafter}", "state").replace("{ping}", "0");
        HttpResponse<InputStream> resp = jmap.http.sendAsync(jmap.request(url).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertThat(resp.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).startsWith(":"); // the stream has its baseline
            cli("account", "set", "alice@example.test", "pop3=delete");
            long t0 = System.nanoTime(); // committed: the CLI's own start-up is not the feed's latency
            String data = nextState(in);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String state = settingsCall("[[\"Settings/get\",{\"accountId\":\"$A\"},\"g\"]]").get(0).get(1).path("state").asText();
            assertThat(data).contains("\"Settings\":\"" + state + "\"").doesNotContain("Identity");
            assertThat(took).as("CLI to EventSource").isLessThan(WITHIN);
        }
    }

    @Test
    void webmailPreferencesSavedOverJmapReachImapNotify() throws Exception {
        try (RawClient imap = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            imap.expect("* OK");
            imap.send("a LOGIN alice@example.test alice-pw");
            imap.readUntil("^a OK.*");
            imap.send("b NOTIFY SET (personal (ServerMetadataChange))");
            imap.expect("b OK NOTIFY completed");
            JsonNode set = settingsCall("[[\"Settings/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":"
                    + "{\"webmail\":{\"theme\":\"dark\"}}}},\"s\"]]");
            assertThat(set.get(0).get(1).path("updated").has("singleton")).as(set.toString()).isTrue();
            // RFC 5464 §4.4.2 unsolicited METADATA: server entries name the mailbox "".
            imap.expect("* METADATA \"\" /private/vendor/postern/webmail");
            imap.send("c NOOP");
            imap.expect("c OK NOOP completed");
        }
    }
}

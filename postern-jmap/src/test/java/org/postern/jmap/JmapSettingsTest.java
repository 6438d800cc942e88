// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.MetadataStore;

/** The webmail's settings capability: Settings/get, Settings/set, Password/change (notes/webmail.md). */
class JmapSettingsTest {
    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:postern:params:jmap:settings\"]";

    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    HttpClient http;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw-alice-1");
        c = f.client("alice@example.test", "pw-alice-1");
        http = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    JsonNode call(String method, String args) throws Exception {
        return c.callUsing(USING, "[[\"" + method + "\"," + args + ",\"c\"]]").get(0);
    }

    String setting(String key) {
        return f.store.directory().account("alice@example.test").orElseThrow().settings().get(key);
    }

    @Test
    void theSessionAdvertisesTheCapability() throws Exception {
        JsonNode s = c.session();
        String id = c.accountId();
        assertThat(s.path("capabilities").has(JmapApi.SETTINGS)).isTrue();
        assertThat(s.path("accounts").path(id).path("accountCapabilities").has(JmapApi.SETTINGS)).isTrue();
        assertThat(s.path("primaryAccounts").path(JmapApi.SETTINGS).asText()).isEqualTo(id);
        // Without the capability in "using", the methods are unknown (RFC 8620 §3.6.2).
        JsonNode r = c.call("[[\"Settings/get\",{\"accountId\":\"$A\"},\"c\"]]").get(0);
        assertThat(r.get(0).asText()).isEqualTo("error");
        assertThat(r.get(1).path("type").asText()).isEqualTo("unknownMethod");
    }

    @Test
    void defaultsAreKeepMarkSeenAndAnEmptyWebmailObject() throws Exception {
        JsonNode r = call("Settings/get", "{\"accountId\":\"$A\",\"ids\":null}").get(1);
        JsonNode s = r.path("list").get(0);
        assertThat(s.path("id").asText()).isEqualTo("singleton");
        assertThat(s.path("pop3Mode").asText()).isEqualTo("keep");
        assertThat(s.path("pop3DeleteAfterDays").isNull()).isTrue();
        assertThat(s.path("pop3MarkSeen").asBoolean()).isTrue();
        assertThat(s.path("webmail").isObject()).isTrue();
        assertThat(s.path("webmail")).isEmpty();
        assertThat(r.path("notFound")).isEmpty();
        JsonNode other = call("Settings/get", "{\"accountId\":\"$A\",\"ids\":[\"x\"]}").get(1);
        assertThat(other.path("list")).isEmpty();
        assertThat(other.path("notFound").get(0).asText()).isEqualTo("x");
    }

    @Test
    void setStoresPop3SettingsAsTheCliDoesAndWebmailAsAPrivateAnnotation() throws Exception {
        String state = call("Settings/get", "{\"accountId\":\"$A\"}").get(1).path("state").asText();
        JsonNode r = call("Settings/set", "{\"accountId\":\"$A\",\"ifInState\":\"" + state + "\",\"update\":{\"singleton\":"
                + "{\"pop3Mode\":\"delete\",\"pop3DeleteAfterDays\":30,\"pop3MarkSeen\":false,"
                + "\"webmail\":{\"threads\":true,\"remoteContent\":[\"a@example.com\"]}}}}").get(1);
        assertThat(r.path("updated").has("singleton")).isTrue();
        assertThat(r.path("oldState").asText()).isEqualTo(state);
        assertThat(r.path("newState").asText()).isNotEqualTo(state);
        assertThat(setting("pop3")).isEqualTo("delete-after-days:30");
        assertThat(setting("pop3-mark-seen")).isEqualTo("no");
        long id = f.store.directory().account("alice@example.test").orElseThrow().id();
        byte[] stored = f.store.metadata().entries(MetadataStore.Scope.serverPrivate(id)).get("/private/vendor/postern/webmail");
        assertThat(new String(stored, StandardCharsets.UTF_8)).contains("\"threads\":true");

        // A patch of one webmail key keeps the others (RFC 8620 §5.3 PatchObject paths).
        call("Settings/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"webmail/theme\":\"dark\",\"webmail/threads\":null}}}");
        JsonNode s = call("Settings/get", "{\"accountId\":\"$A\"}").get(1).path("list").get(0);
        assertThat(s.path("webmail").path("theme").asText()).isEqualTo("dark");
        assertThat(s.path("webmail").has("threads")).isFalse();
        assertThat(s.path("webmail").path("remoteContent").get(0).asText()).isEqualTo("a@example.com");
        assertThat(s.path("pop3DeleteAfterDays").asInt()).isEqualTo(30);

        call("Settings/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"pop3DeleteAfterDays\":null}}}");
        assertThat(setting("pop3")).isEqualTo("delete");
        call("Settings/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"pop3Mode\":\"keep\"}}}");
        assertThat(setting("pop3")).isEqualTo("keep");
    }

    @Test
    void badValuesAreInvalidPropertiesAndTheSingletonCannotBeCreatedOrDestroyed() throws Exception {
        String big = "x".repeat(17 * 1024);
        String[][] rows = {
            {"{\"pop3Mode\":\"sometimes\"}", "pop3Mode"},
            {"{\"pop3Mode\":\"delete\",\"pop3DeleteAfterDays\":0}", "pop3DeleteAfterDays"},
            {"{\"pop3Mode\":\"delete\",\"pop3DeleteAfterDays\":99999}", "pop3DeleteAfterDays"},
            {"{\"pop3Mode\":\"keep\",\"pop3DeleteAfterDays\":5}", "pop3DeleteAfterDays"},
            {"{\"pop3MarkSeen\":\"yes\"}", "pop3MarkSeen"},
            {"{\"webmail\":[1,2]}", "webmail"},
            {"{\"webmail\":{\"big\":\"" + big + "\"}}", "webmail"},
            {"{\"webmail/a/b\":1}", "webmail/a/b"},
            {"{\"colour\":\"red\"}", "colour"},
        };
        for (String[] row : rows) {
            JsonNode r = call("Settings/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":" + row[0] + "}}").get(1);
            assertThat(r.path("notUpdated").path("singleton").path("type").asText()).as(row[0]).isEqualTo("invalidProperties");
            assertThat(r.path("notUpdated").path("singleton").path("properties").get(0).asText()).as(row[0]).isEqualTo(row[1]);
        }
        assertThat(setting("pop3")).isNull();
        JsonNode r = call("Settings/set", "{\"accountId\":\"$A\",\"create\":{\"k\":{}},\"destroy\":[\"singleton\"]}").get(1);
        assertThat(r.path("notCreated").path("k").path("type").asText()).isEqualTo("singleton");
        assertThat(r.path("notDestroyed").path("singleton").path("type").asText()).isEqualTo("singleton");
        JsonNode mismatch = call("Settings/set", "{\"accountId\":\"$A\",\"ifInState\":\"nope\",\"update\":{}}");
        assertThat(mismatch.get(1).path("type").asText()).isEqualTo("stateMismatch");
    }

    @Test
    void passwordChangeChecksTheCurrentPasswordAndTheNewOnesLength() throws Exception {
        JsonNode wrong = call("Password/change", "{\"accountId\":\"$A\",\"currentPassword\":\"nope\",\"newPassword\":\"long-enough-1\"}");
        assertThat(wrong.get(0).asText()).isEqualTo("error");
        assertThat(wrong.get(1).path("type").asText()).isEqualTo("forbidden");
        JsonNode shortOne = call("Password/change", "{\"accountId\":\"$A\",\"currentPassword\":\"pw-alice-1\",\"newPassword\":\"short\"}");
        assertThat(shortOne.get(1).path("type").asText()).isEqualTo("invalidArguments");
        assertThat(shortOne.get(1).path("description").asText()).contains("at least");
        JsonNode longOne = call("Password/change", "{\"accountId\":\"$A\",\"currentPassword\":\"pw-alice-1\",\"newPassword\":\""
                + "y".repeat(1025) + "\"}");
        assertThat(longOne.get(1).path("type").asText()).isEqualTo("invalidArguments");

        JsonNode ok = call("Password/change", "{\"accountId\":\"$A\",\"currentPassword\":\"pw-alice-1\",\"newPassword\":\"pw-alice-2\"}");
        assertThat(ok.get(0).asText()).isEqualTo("Password/change");
        assertThat(ok.get(1)).isEmpty();
        assertThat(f.client("alice@example.test", "pw-alice-1").get("/.well-known/jmap").statusCode()).isEqualTo(401);
        assertThat(f.client("alice@example.test", "pw-alice-2").get("/.well-known/jmap").statusCode()).isEqualTo(200);
    }

    record Browser(String cookie, String csrf) {}

    Browser login(String password) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(f.base() + "/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Browser(cookieOf(r), JmapClient.JSON.readTree(r.body()).path("csrfToken").asText());
    }

    static String cookieOf(HttpResponse<?> r) {
        String set = r.headers().firstValue("set-cookie").orElseThrow();
        return set.substring(set.indexOf('=') + 1, set.indexOf(';'));
    }

    HttpResponse<String> api(Browser b, String calls) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(f.base() + "/jmap/api/")).header("Cookie", "__Host-postern=" + b.cookie())
                .header("X-CSRF-Token", b.csrf()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"using\":" + USING + ",\"methodCalls\":" + calls + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCallersBrowserSessionSurvivesAPasswordChangeAndEveryOtherEnds() throws Exception {
        Browser mine = login("pw-alice-1");
        Browser other = login("pw-alice-1");
        String acc = c.accountId();
        HttpResponse<String> r = api(mine, "[[\"Password/change\",{\"accountId\":\"" + acc
                + "\",\"currentPassword\":\"pw-alice-1\",\"newPassword\":\"pw-alice-2\"},\"c\"]]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"Password/change\"");
        Browser renewed = new Browser(cookieOf(r), r.headers().firstValue("x-csrf-token").orElseThrow());
        assertThat(renewed.cookie()).isNotEqualTo(mine.cookie());
        String echo = "[[\"Core/echo\",{},\"e\"]]";
        assertThat(api(renewed, echo).statusCode()).isEqualTo(200);
        assertThat(api(mine, echo).statusCode()).isEqualTo(401);
        assertThat(api(other, echo).statusCode()).isEqualTo(401);
    }

    @Test
    void settingsChangesArePushedOverEventSource() throws Exception {
        c.session();
        String url = c.session.get("eventSourceUrl").asText().replace("{types}", "Settings,VacationResponse,Identity")
                .replace("{closeafter}", "no").replace("{ping}", "0");
        HttpResponse<InputStream> stream = c.http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", c.authorization).build(), HttpResponse.BodyHandlers.ofInputStream()).get(10, TimeUnit.SECONDS);
        assertThat(stream.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo(": postern");
            call("Settings/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"pop3MarkSeen\":false}}}");
            String settingsState = call("Settings/get", "{\"accountId\":\"$A\"}").get(1).path("state").asText();
            assertThat(nextState(in)).contains("\"Settings\":\"" + settingsState + "\"");
            c.callUsing("[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:vacationresponse\"]",
                    "[[\"VacationResponse/set\",{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"isEnabled\":true}}},\"v\"]]");
            assertThat(nextState(in)).contains("\"VacationResponse\":").doesNotContain("\"Settings\"");
        } finally {
            stream.body().close();
        }
    }

    /** The data of the next "state" event, within a deadline (readLine blocks; the test's timeout bounds it). */
    static String nextState(BufferedReader in) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String line;
        boolean state = false;
        while (System.nanoTime() < deadline && (line = in.readLine()) != null) {
            if (line.equals("event: state")) state = true;
            else if (state && line.startsWith("data: ")) return line.substring(6);
        }
        throw new AssertionError("no state event");
    }
}

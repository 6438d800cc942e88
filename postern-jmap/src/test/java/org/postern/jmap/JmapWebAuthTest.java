// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;
import org.postern.jmap.proto.JmapLimits;

/** Browser login, sessions and CSRF (HOSTILE.md A54, A55) in front of JMAP. */
class JmapWebAuthTest {
    static final String ECHO = "{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[[\"Core/echo\",{\"x\":1},\"c\"]]}";

    @TempDir
    Path tmp;
    JmapFixture f;
    HttpClient http;

    /** A logged-in browser: its cookie value and CSRF token. */
    record Browser(String cookie, String csrf) {
        String header() {
            return "__Host-postern=" + cookie;
        }
    }

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw-alice");
        http = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(f.base() + path)).timeout(Duration.ofSeconds(20));
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> loginJson(String user, String password) throws Exception {
        return send(req("/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")));
    }

    Browser login() throws Exception {
        HttpResponse<String> r = loginJson("alice@example.test", "pw-alice");
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        return new Browser(value, JmapClient.JSON.readTree(r.body()).path("csrfToken").asText());
    }

    HttpResponse<String> api(Browser b, String csrf, String origin, String contentType) throws Exception {
        HttpRequest.Builder q = req("/jmap/api/").header("Cookie", b.header()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(ECHO));
        if (csrf != null) q.header("X-CSRF-Token", csrf);
        if (origin != null) q.header("Origin", origin);
        return send(q);
    }

    @Test
    void loginSetsAHostPrefixedStrictCookieAndReturnsTheCsrfToken() throws Exception {
        HttpResponse<String> r = loginJson("alice@example.test", "pw-alice");
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).startsWith("__Host-postern=").contains("; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict")
                .doesNotContain("Domain=");
        String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        assertThat(value).matches("[A-Za-z0-9_-]{43}");
        JsonNode body = JmapClient.JSON.readTree(r.body());
        assertThat(body.path("username").asText()).isEqualTo("alice@example.test");
        String csrf = body.path("csrfToken").asText();
        assertThat(csrf).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(value);
        assertThat(r.headers().firstValue("cache-control").orElseThrow()).contains("no-store");

        HttpResponse<String> s = send(req("/.well-known/jmap").header("Cookie", "__Host-postern=" + value));
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("x-csrf-token")).hasValue(csrf);
        assertThat(JmapClient.JSON.readTree(s.body()).path("username").asText()).isEqualTo("alice@example.test");
        // Only the hash is kept: the cookie value is nowhere in the server's table.
        assertThat(f.jmap.sessions().size()).isEqualTo(1);
    }

    @Test
    void stateChangesByCookieNeedTheCsrfTokenAndOurOrigin() throws Exception {
        Browser b = login();
        String self = f.base();
        assertThat(api(b, b.csrf(), null, "application/json").statusCode()).isEqualTo(200);
        assertThat(api(b, b.csrf(), self, "application/json").statusCode()).isEqualTo(200);
        // A54: no token, a wrong one, a foreign Origin, a text/plain "simple request" from another site.
        assertThat(api(b, null, null, "application/json").statusCode()).isEqualTo(403);
        assertThat(api(b, b.csrf().substring(1) + "A", null, "application/json").statusCode()).isEqualTo(403);
        assertThat(api(b, b.cookie(), null, "application/json").statusCode()).isEqualTo(403);
        assertThat(api(b, b.csrf(), "https://evil.example", "application/json").statusCode()).isEqualTo(403);
        assertThat(api(b, b.csrf(), "null", "application/json").statusCode()).isEqualTo(403);
        assertThat(api(b, null, "https://evil.example", "text/plain").statusCode()).isEqualTo(403);
        assertThat(send(req("/jmap/api/").header("Cookie", b.header()).header("X-CSRF-Token", b.csrf())
                .header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.ofString(ECHO))).statusCode()).isEqualTo(403);
        // Uploads are state changes too.
        String upload = "/jmap/upload/" + Ids.account(f.store.directory().account("alice@example.test").orElseThrow().id()) + "/";
        assertThat(send(req(upload).header("Cookie", b.header()).POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode())
                .isEqualTo(403);
        assertThat(send(req(upload).header("Cookie", b.header()).header("X-CSRF-Token", b.csrf())
                .POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(201);
        // Reads need no token.
        assertThat(send(req("/.well-known/jmap").header("Cookie", b.header())).statusCode()).isEqualTo(200);
    }

    @Test
    void basicAuthNeedsNoCsrfToken() throws Exception {
        JmapClient alice = f.client("alice@example.test", "pw-alice");
        assertThat(alice.post(ECHO).statusCode()).isEqualTo(200);
    }

    @Test
    void logoutKillsTheSessionOnTheServer() throws Exception {
        Browser b = login();
        // Without the token, logout is refused and the session lives on.
        assertThat(send(req("/logout").header("Cookie", b.header()).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(403);
        assertThat(send(req("/.well-known/jmap").header("Cookie", b.header())).statusCode()).isEqualTo(200);
        HttpResponse<String> out = send(req("/logout").header("Cookie", b.header()).header("X-CSRF-Token", b.csrf())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("set-cookie").orElseThrow()).startsWith("__Host-postern=;").contains("Max-Age=0");
        // A55: the old cookie replayed after logout.
        assertThat(send(req("/.well-known/jmap").header("Cookie", b.header())).statusCode()).isEqualTo(401);
        assertThat(api(b, b.csrf(), null, "application/json").statusCode()).isEqualTo(401);
        assertThat(f.jmap.sessions().size()).isZero();
    }

    @Test
    void everyLoginGetsAFreshIdAndEndsTheOldOne() throws Exception {
        Browser first = login();
        HttpResponse<String> again = send(req("/login").header("Cookie", first.header()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"pw-alice\"}")));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("set-cookie").orElseThrow()).doesNotContain(first.cookie());
        assertThat(send(req("/.well-known/jmap").header("Cookie", first.header())).statusCode()).isEqualTo(401);
        // A cookie value the client made up is never adopted (fixation).
        String planted = "A".repeat(43);
        HttpResponse<String> fixed = send(req("/login").header("Cookie", "__Host-postern=" + planted)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"pw-alice\"}")));
        assertThat(fixed.headers().firstValue("set-cookie").orElseThrow()).doesNotContain(planted);
        assertThat(send(req("/.well-known/jmap").header("Cookie", "__Host-postern=" + planted)).statusCode()).isEqualTo(401);
    }

    @Test
    void aPasswordChangeEndsBrowserSessions() throws Exception {
        Browser b = login();
        f.store.directory().setPassword("alice@example.test", new Passwords(PasswordHasher.Cost.TEST).record("new-pw"));
        assertThat(send(req("/.well-known/jmap").header("Cookie", b.header())).statusCode()).isEqualTo(401);
    }

    @Test
    void failedLoginsLookTheSameForUnknownUsersAndWrongPasswords() throws Exception {
        HttpResponse<String> wrong = loginJson("alice@example.test", "nope");
        HttpResponse<String> unknown = loginJson("nobody@example.test", "nope");
        assertThat(wrong.statusCode()).isEqualTo(401).isEqualTo(unknown.statusCode());
        assertThat(wrong.body()).isEqualTo(unknown.body());
        assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
        // No Basic challenge on the login form: browsers would pop up their own dialog.
        assertThat(wrong.headers().firstValue("www-authenticate").orElseThrow()).doesNotStartWith("Basic");
    }

    @Test
    void loginRefusesForeignOriginsAndOtherBodies() throws Exception {
        HttpResponse<String> cross = send(req("/login").header("Origin", "https://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"pw-alice\"}")));
        assertThat(cross.statusCode()).isEqualTo(403);
        assertThat(cross.headers().firstValue("set-cookie")).isEmpty();
        assertThat(send(req("/login").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice@example.test\",\"password\":\"pw-alice\"}")))
                .statusCode()).isEqualTo(415);
        assertThat(send(req("/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + "a".repeat(10_000) + "\"}"))).statusCode()).isEqualTo(413);
        assertThat(send(req("/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":1}"))).statusCode()).isEqualTo(400);
        assertThat(send(req("/login").PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
    }

    @Test
    void theHtmlFormLogsInAndOutWithoutScript() throws Exception {
        HttpResponse<String> page = send(req("/login"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\" action=\"/login\">").doesNotContain("<script");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow()).contains("frame-ancestors 'none'");
        HttpResponse<String> in = send(req("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=alice%40example.test&password=pw-alice")));
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("location")).hasValue("/login");
        String setCookie = in.headers().firstValue("set-cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> signedIn = send(req("/login").header("Cookie", cookie));
        assertThat(signedIn.body()).contains("Signed in as alice@example.test");
        String csrf = signedIn.body().replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        assertThat(send(req("/logout").header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=wrong"))).statusCode()).isEqualTo(403);
        HttpResponse<String> out = send(req("/logout").header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf)));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(send(req("/.well-known/jmap").header("Cookie", cookie)).statusCode()).isEqualTo(401);
        HttpResponse<String> failed = send(req("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=%3Cscript%3E&password=x")));
        assertThat(failed.statusCode()).isEqualTo(401);
        assertThat(failed.body()).contains("Wrong username or password.").doesNotContain("<script>");
    }

    @Test
    void aCookieWebSocketUpgradeNeedsOurOrigin() throws Exception {
        Browser b = login();
        String url = "wss://localhost:" + f.http.httpsPort() + "/jmap/ws";
        HttpClient h1 = HttpClient.newBuilder().sslContext(f.tls.clientContextTrustingSelf()).version(HttpClient.Version.HTTP_1_1)
                .build();
        for (String origin : new String[] {null, "https://evil.example", "http://localhost:" + f.http.httpsPort()}) {
            WebSocket.Builder w = h1.newWebSocketBuilder().header("Cookie", b.header()).subprotocols("jmap");
            if (origin != null) w.header("Origin", origin);
            CompletableFuture<WebSocket> ws = w.buildAsync(URI.create(url), new WebSocket.Listener() {});
            assertThat(ws).as("origin %s", origin).failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(java.net.http.WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
        }
        WebSocket ok = h1.newWebSocketBuilder().header("Cookie", b.header()).header("Origin", f.base()).subprotocols("jmap")
                .buildAsync(URI.create(url), new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS);
        assertThat(ok.getSubprotocol()).isEqualTo("jmap");
        ok.abort();
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.RequestOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Mailbox;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * The webmail's security headers, cookies, CSRF, session end and attachment downloads (HOSTILE.md
 * A48, A53-A57), checked from real Chromium and its request API (which shares the browser's cookies).
 */
class WebmailSecurityIT {
    static final String USER = "walt@example.test";
    static final String PASSWORD = "walt-password";
    static final String OTHER = "otto@example.test";
    static final ObjectMapper JSON = new ObjectMapper();

    static TestServer server;
    static Browser browser;
    static String base;
    static Account walt;
    static Account otto;
    static String waltMail;
    static String waltRemote;
    static String waltAttachments;
    static String ottoMail;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        walt = server.createUser(USER, PASSWORD);
        otto = server.createUser(OTHER, "otto-password");
        waltMail = deliver(walt, "Subject: plain\r\n\r\nhello\r\n");
        waltRemote = deliver(walt, "Subject: remote\r\nContent-Type: text/html\r\n\r\n<img src=\"https://pwned.invalid/p.gif\">\r\n");
        waltAttachments = deliver(walt, "Subject: attachments\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"../../x<script>.html\"\r\n\r\n"
                + "<script>alert(1)</script>\r\n"
                + "--b\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"a.svg\"\r\n\r\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>\r\n--b--\r\n");
        ottoMail = deliver(otto, "Subject: otto's secret\r\n\r\nsecret\r\n");
        base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    private static String deliver(Account a, String message) throws IOException {
        byte[] b = ("From: x@example.org\r\nTo: " + a.address() + "\r\nMessage-ID: <" + System.nanoTime() + "@example.org>\r\n" + message)
                .getBytes(StandardCharsets.UTF_8);
        MailboxStore boxes = server.store().mailboxes();
        Mailbox inbox = boxes.find(a.id(), Mailbox.INBOX).orElseGet(() -> boxes.create(a.id(), Mailbox.INBOX, null));
        String blob;
        try (BlobStore.BlobWriter w = server.store().blobs().create()) {
            w.stream().write(b);
            blob = w.commit();
        }
        MessageRecord r = boxes.append(a.id(), inbox.id(), blob, b.length, Set.of(), Instant.now());
        return "/webmail/message/a" + a.id() + "/e" + inbox.id() + "-" + r.uid();
    }

    @Test
    void theHarnessSeesScriptAndRemoteRequests() {
        // The oracle of the browser tests must be able to fail: an unsanitized page trips both detectors.
        Page page = browser.newPage();
        page.setContent("<img src=x onerror=\"alert(1)\"><img src=\"https://tracker.invalid/x.gif\">");
        page.waitForCondition(() -> !browser.dialogs().isEmpty() && !browser.foreignRequests().isEmpty());
        assertThat(browser.foreignRequests()).anySatisfy(u -> assertThat(u).contains("tracker.invalid"));
        page.context().close();
        browser.clearRecords();
    }

    @Test
    void appPageCarriesAStrictPolicyAndRevalidates() {
        Page page = browser.newPage();
        Response r = page.navigate(base + "/");
        assertThat(r.status()).isEqualTo(200);
        String csp = r.headerValue("content-security-policy");
        assertThat(csp).contains("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(r.headerValue("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.headerValue("referrer-policy")).isEqualTo("no-referrer");
        assertThat(r.headerValue("x-frame-options")).isEqualTo("DENY");
        assertThat(r.headerValue("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.headerValue("cache-control")).isEqualTo("no-cache");
        String etag = r.headerValue("etag");
        assertThat(etag).matches("\"[A-Za-z0-9_-]{27}\"");
        assertThat(r.headerValue("last-modified")).endsWith(" GMT");

        APIResponse js = page.request().get(base + "/js/main.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.headers().get("content-type")).isEqualTo("text/javascript; charset=utf-8");
        APIResponse again = page.request().get(base + "/", RequestOptions.create().setHeader("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        // No script from anywhere else ran, and the page needed nothing from elsewhere.
        assertThat(browser.dialogs()).isEmpty();
        page.context().close();
    }

    @Test
    void everyRouteCarriesTheSecurityHeaders() {
        Page page = browser.newPage();
        Browser.login(page, base, USER, PASSWORD);
        for (String path : List.of("/", "/js/main.js", "/css/base.css", "/nonexistent.js", "/no/such/path", waltMail, waltMail + "x",
                "/webmail/message/", "/webmail/account", "/.well-known/jmap", "/jmap/api/", "/login")) {
            APIResponse r = page.request().get(base + path);
            var h = r.headers();
            assertThat(h.get("content-security-policy")).as(path).contains("frame-ancestors").doesNotContain("unsafe-eval")
                    .doesNotContain("script-src 'unsafe-inline'");
            assertThat(h.get("x-content-type-options")).as(path).isEqualTo("nosniff");
            assertThat(h.get("referrer-policy")).as(path).isEqualTo("no-referrer");
            assertThat(h.get("x-frame-options")).as(path).isIn("DENY", "SAMEORIGIN");
        }
        page.context().close();
    }

    @Test
    void theAppCannotBeFramedByAnotherPage() {
        // A57: a foreign page (here about:blank, an opaque origin) frames the app; frame-ancestors 'none' blocks it.
        Page page = browser.newPage();
        page.setContent("<iframe name=app src=\"" + base + "/\"></iframe>");
        Frame app = page.frames().stream().filter(f -> f.name().equals("app")).findFirst().orElseThrow();
        app.waitForLoadState();
        String content;
        try {
            content = app.content();
        } catch (RuntimeException e) {
            content = "";
        }
        assertThat(content).doesNotContain("app-root");
        assertThat(browser.dialogs()).isEmpty();
        page.context().close();
    }

    @Test
    void staticFilesCannotBeEscapedOrListed() {
        Page page = browser.newPage();
        for (String path : List.of("/../pom.xml", "/%2e%2e/pom.xml", "/js/..%2fmain.js", "/%2e%2e/%2e%2e/pom.xml", "/js/", "/js",
                "/css", "/.git/config", "/WEB-INF/web.xml", "/org/postern/webmail/WebmailHandler.class", "/static/index.html",
                "/index.html%00.js", "/js%5Cmain.js", "/js%2Fmain.js", "/js/main.js/", "/META-INF/MANIFEST.MF", "/logback.xml",
                "/org/postern/webmail/static/index.html", "/nonexistent.js")) {
            APIResponse r = page.request().get(base + path);
            assertThat(r.status()).as(path).isIn(400, 404);
            assertThat(r.text()).as(path).doesNotContain("<script", "main.js", "modelVersion");
        }
        APIResponse post = page.request().post(base + "/index.html", RequestOptions.create().setData("x"));
        assertThat(post.status()).isIn(403, 405);
        page.context().close();
    }

    @Test
    void sessionCookieIsHostOnlySecureHttpOnlyStrict() {
        Page page = browser.newPage();
        Browser.login(page, base, USER, PASSWORD);
        List<Cookie> cookies = page.context().cookies();
        Cookie c = cookies.stream().filter(k -> k.name.equals("__Host-postern")).findFirst().orElseThrow();
        assertThat(c.secure).isTrue();
        assertThat(c.httpOnly).isTrue();
        assertThat(c.sameSite).hasToString("STRICT");
        assertThat(c.path).isEqualTo("/");
        assertThat((String) page.evaluate("() => document.cookie")).doesNotContain("__Host-postern");
        page.context().close();
    }

    @Test
    void messageViewHasItsOwnSandboxedPolicyAndOnlyForTheOwner() {
        BrowserContext ctx = browser.newContext();
        Page page = ctx.newPage();
        // Not signed in: nothing.
        assertThat(page.request().get(base + waltMail).status()).isEqualTo(401);
        // Basic credentials are not a browser session.
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(page.request().get(base + waltMail, RequestOptions.create().setHeader("Authorization", basic)).status()).isEqualTo(401);
        Browser.login(page, base, USER, PASSWORD);

        APIResponse r = page.request().get(base + waltMail);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("content-security-policy")).isEqualTo("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                + "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
                + "sandbox allow-popups allow-popups-to-escape-sandbox");
        assertThat(r.headers().get("x-frame-options")).isEqualTo("SAMEORIGIN");
        assertThat(r.headers().get("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.headers().get("x-postern-remote-content")).isEqualTo("none");
        assertThat(r.headers().get("cache-control")).contains("no-store");
        assertThat(r.text()).contains("hello").doesNotContain("<script");

        APIResponse blocked = page.request().get(base + waltRemote);
        assertThat(blocked.headers().get("x-postern-remote-content")).isEqualTo("blocked");
        assertThat(blocked.text()).doesNotContain("pwned.invalid");
        APIResponse allowed = page.request().get(base + waltRemote + "?remote=1");
        assertThat(allowed.headers().get("x-postern-remote-content")).isEqualTo("allowed");
        assertThat(allowed.headers().get("content-security-policy")).contains("img-src data: https:;").doesNotContain("script");
        assertThat(allowed.text()).contains("https://pwned.invalid/p.gif");

        // Another account's message, a made-up one and a malformed id all look the same (A61).
        String ottoAsWalt = ottoMail.replace("/a" + otto.id() + "/", "/a" + walt.id() + "/");
        // Mailbox ids may be per account, so the same ids under walt's account may well be walt's own message.
        if (List.of(waltMail, waltRemote, waltAttachments).contains(ottoAsWalt)) ottoAsWalt = ottoMail;
        for (String path : List.of(ottoMail, ottoAsWalt, "/webmail/message/a" + walt.id() + "/e999-1",
                "/webmail/message/a" + walt.id() + "/../../index.html", "/webmail/message/a" + walt.id() + "/x")) {
            APIResponse other = page.request().get(base + path);
            assertThat(other.status()).as(path).isEqualTo(404);
            assertThat(other.text()).as(path).doesNotContain("secret");
        }
        ctx.close();
    }

    @Test
    void stateChangesNeedTheCsrfTokenAndLogoutEndsTheSession() {
        Page page = browser.newPage();
        Browser.login(page, base, USER, PASSWORD);
        String value = page.context().cookies().stream().filter(k -> k.name.equals("__Host-postern")).findFirst().orElseThrow().value;
        String token = page.request().get(base + "/.well-known/jmap").headers().get("x-csrf-token");
        assertThat(token).isNotBlank();
        String body = "{\"using\":[\"urn:ietf:params:jmap:core\"],\"methodCalls\":[[\"Core/echo\",{\"hi\":1},\"c\"]]}";
        String api = base + "/jmap/api/";
        // A54: no token, a wrong one, a foreign Origin, a text/plain "simple" request: all refused.
        assertThat(page.request().post(api, RequestOptions.create().setHeader("Content-Type", "application/json").setData(body)).status())
                .isEqualTo(403);
        assertThat(page.request().post(api, RequestOptions.create().setHeader("Content-Type", "application/json")
                .setHeader("X-CSRF-Token", "wrong").setData(body)).status()).isEqualTo(403);
        assertThat(page.request().post(api, RequestOptions.create().setHeader("Content-Type", "application/json")
                .setHeader("X-CSRF-Token", token).setHeader("Origin", "https://evil.example").setData(body)).status()).isEqualTo(403);
        assertThat(page.request().post(api, RequestOptions.create().setHeader("Content-Type", "text/plain").setData(body)).status())
                .isIn(400, 403, 415);
        APIResponse ok = page.request().post(api, RequestOptions.create().setHeader("Content-Type", "application/json")
                .setHeader("X-CSRF-Token", token).setData(body));
        assertThat(ok.status()).isEqualTo(200);
        // Logout itself is a state change: without the token it does nothing.
        assertThat(page.request().post(base + "/logout").status()).isEqualTo(403);
        assertThat(page.request().get(base + waltMail).status()).isEqualTo(200);

        page.navigate(base + "/");
        page.locator("[data-testid=logout-button]").click();
        page.locator("[data-testid=login-username]").waitFor();
        // A55: the old cookie, replayed by hand, is dead on the server.
        BrowserContext fresh = browser.newContext();
        fresh.addCookies(List.of(new Cookie("__Host-postern", value).setUrl(base + "/").setSecure(true)));
        Page replay = fresh.newPage();
        assertThat(replay.request().get(base + "/.well-known/jmap").status()).isEqualTo(401);
        assertThat(replay.request().get(base + waltMail).status()).isEqualTo(401);
        fresh.close();
        page.context().close();
    }

    @Test
    void attachmentsAreAlwaysDownloadsWithSafeNames() throws Exception {
        Page page = browser.newPage();
        String token = Browser.login(page, base, USER, PASSWORD);
        if (token == null) token = page.request().get(base + "/.well-known/jmap").headers().get("x-csrf-token");
        String emailId = waltAttachments.substring(waltAttachments.lastIndexOf('/') + 1);
        String call = "{\"using\":[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\"],\"methodCalls\":[[\"Email/get\","
                + "{\"accountId\":\"a" + walt.id() + "\",\"ids\":[\"" + emailId + "\"],\"properties\":[\"attachments\"]},\"g\"]]}";
        APIResponse r = page.request().post(base + "/jmap/api/", RequestOptions.create().setHeader("Content-Type", "application/json")
                .setHeader("X-CSRF-Token", token).setData(call));
        JsonNode atts = JSON.readTree(r.text()).at("/methodResponses/0/1/list/0/attachments");
        assertThat(atts.size()).isEqualTo(2);
        List<String> problems = new ArrayList<>();
        for (JsonNode a : atts) {
            String blobId = a.get("blobId").asText();
            String type = a.get("type").asText();
            for (String name : List.of(a.path("name").asText("x"), "../../etc/passwd", "..\\..\\win.ini", "a.pdf\r\nSet-Cookie: x=1",
                    "evil.html%00.pdf", "x\".html", "<img src=x onerror=alert(1)>.html", "\u202egnp.exe", "a;b=c.txt")) {
                String url = base + "/jmap/download/a" + walt.id() + "/" + blobId + "/"
                        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "?accept="
                        + URLEncoder.encode(type, StandardCharsets.UTF_8);
                APIResponse d = page.request().get(url);
                if (!name.matches("[A-Za-z0-9._ -]+")) {
                    // Jetty refuses encoded separators and controls in the path (400): refused is safe, if unfriendly.
                    assertThat(d.status()).as(name).isIn(200, 400);
                    if (d.status() == 400) continue;
                }
                assertThat(d.status()).as(name).isEqualTo(200);
                String disposition = d.headers().get("content-disposition");
                assertThat(disposition).as(name).startsWith("attachment;");
                assertThat(d.headers().get("x-content-type-options")).isEqualTo("nosniff");
                assertThat(d.headers().get("content-security-policy")).as(name).contains("sandbox");
                assertThat(d.headers()).doesNotContainKey("set-cookie");
                String served = filename(disposition);
                // HOSTILE.md C5 (A53): no served name contains a separator, "..", CR, LF or NUL.
                for (String bad : List.of("/", "\\", "..", "\r", "\n", "\0", "\u202e")) {
                    if (served.contains(bad)) problems.add("name " + name + " served as " + served + " (contains " + bad.strip() + ")");
                }
                String ctype = d.headers().get("content-type").toLowerCase(Locale.ROOT);
                if (ctype.startsWith("text/html") || ctype.startsWith("image/svg")) {
                    assertThat(disposition).as("active type %s is never inline", ctype).startsWith("attachment;");
                }
            }
        }
        assertThat(problems).as("download names (postern-jmap BlobEndpoints.sanitiseName must also remove \"..\")").isEmpty();
        assertThat(browser.dialogs()).isEmpty();
        page.context().close();
    }

    /** The name a browser would save: filename* (RFC 6266 §4.3) decoded, else filename. */
    private static String filename(String disposition) {
        int star = disposition.indexOf("filename*=UTF-8''");
        if (star >= 0) {
            String enc = disposition.substring(star + "filename*=UTF-8''".length()).split(";", 2)[0].strip();
            return java.net.URLDecoder.decode(enc.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        int plain = disposition.indexOf("filename=\"");
        return plain < 0 ? "" : disposition.substring(plain + 10, disposition.indexOf('"', plain + 10));
    }
}

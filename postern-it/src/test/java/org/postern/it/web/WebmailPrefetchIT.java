// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.CopyResult;
import org.postern.store.Mailbox;
import org.postern.store.MailboxStore;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;

/**
 * Opening a message without waiting (issue 7): the reader shows what the page already has and the
 * messages it expects next are warmed ahead (mail/prefetch.js, postern-webmail's X-Postern-Prefetch).
 * Shows that the warming happens (the first rows of a list that loaded, the neighbours of the open
 * message), that it stays as safe as before (a warmed hostile body still renders only in the
 * sandboxed frame under its own CSP, runs no script, loads remote content only after the click),
 * that opening after a warm-up shows the right message, also when it was deleted or moved
 * meanwhile, and that the prefetch request itself answers 204 only to the owner's session.
 */
class WebmailPrefetchIT {
    private static final String USER = "reader@example.test";
    private static final String PASSWORD = "reader-prefetch-pw";
    private static final String OTHER = "other@example.test";
    private static final double WAIT_MS = 15_000;

    @Test
    void warmsAheadAndStaysSafe() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            Account account = server.createUser(USER, PASSWORD);
            server.createUser(OTHER, "other-prefetch-pw");
            MailboxStore boxes = server.store().mailboxes();
            Mailbox inbox = boxes.find(account.id(), Mailbox.INBOX).orElseGet(() -> boxes.create(account.id(), Mailbox.INBOX, null));
            Instant t = Instant.parse("2026-11-27T12:00:00Z");
            // Newest first in the list: m[0] on top.
            List<MessageRecord> m = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                byte[] raw = i == 3 ? hostile() : plain(i);
                m.add(append(server, account, inbox, raw, t.minusSeconds(60L * i)));
            }
            List<String> ids = m.stream().map(r -> "e" + inbox.id() + "-" + r.uid()).toList();
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());

            BrowserContext ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 800));
            Page page = ctx.newPage();
            page.setDefaultTimeout(WAIT_MS);
            Set<String> warmed = ConcurrentHashMap.newKeySet();
            List<String> emailGets = new CopyOnWriteArrayList<>();
            Map<String, String> frameCsp = new ConcurrentHashMap<>();
            page.onRequest(r -> {
                if (r.url().contains("/webmail/message/") && r.headers().containsKey("x-postern-prefetch")) warmed.add(last(r.url()));
            });
            page.onRequestFinished(r -> {
                String body = r.postData();
                if (r.url().contains("/jmap") && body != null && body.contains("Email/get")) emailGets.add(body);
            });
            page.onResponse(r -> {
                if (r.request().isNavigationRequest() && r.url().contains("/webmail/message/")) {
                    frameCsp.put(last(r.url()), String.valueOf(r.headers().get("content-security-policy")));
                }
            });
            try {
                Browser.login(page, base, USER, PASSWORD);
                page.locator("[data-testid=message-row][data-id]").first().waitFor();

                // The first rows of the list are warmed once it has loaded, nothing open yet.
                waitUntil(page, () -> warmed.containsAll(ids.subList(0, 3)), "top rows warmed: " + warmed);

                // Open the top message; its neighbours are warmed, the next one's Email object too.
                row(page, ids.get(0)).click();
                shows(page, ids.get(0), "Message 1", "marker-1");
                page.keyboard().press("j");
                shows(page, ids.get(1), "Message 2", "marker-2");
                waitUntil(page, () -> warmed.contains(ids.get(3)), "the neighbour two below warmed: " + warmed);

                // The hostile message, warmed ahead, opens in the sandboxed frame under its own CSP; nothing runs,
                // nothing remote loads until the user allows it.
                b.clearRecords();
                page.keyboard().press("j");
                shows(page, ids.get(2), "Hostile prefetched", "marker-hostile");
                Locator frame = frameOf(page, ids.get(2));
                assertThat(frame.getAttribute("sandbox")).isEqualTo("allow-popups allow-popups-to-escape-sandbox");
                assertThat(frameCsp.get(ids.get(2))).contains("default-src 'none'").contains("sandbox allow-popups")
                        .doesNotContain("script-src").doesNotContain("https:");
                page.locator("[data-testid=remote-content-bar]").waitFor();
                assertThat(page.evaluate("() => window.__pwned === undefined")).isEqualTo(true);
                assertThat(b.dialogs()).isEmpty();
                assertThat(b.foreignRequests()).as("nothing remote before the click").isEmpty();
                page.click("[data-testid=load-remote]");
                waitUntil(page, () -> b.foreignRequests().stream().anyMatch(r -> r.contains("https://pwned.invalid/pixel.gif")),
                        "the pixel is requested once allowed");
                assertThat(b.foreignRequests()).allSatisfy(r -> assertThat(r).startsWith("GET https://pwned.invalid/"));

                // Message 4 open: 5 and 6 are warmed, their Email objects fetched ahead.
                page.keyboard().press("j");
                shows(page, ids.get(3), "Message 4", "marker-4");
                waitUntil(page, () -> warmed.containsAll(ids.subList(4, 6))
                        && emailGets.stream().anyMatch(g -> g.contains(ids.get(4))) && emailGets.stream().anyMatch(g -> g.contains(ids.get(5))),
                        "5 and 6 warmed: " + warmed + " " + emailGets);

                // Deleted meanwhile: opening the warmed message says it is gone, never shows it as if it were there.
                boxes.expunge(account.id(), inbox.id(), List.of(m.get(4).uid()));
                go(page, inbox, ids.get(4));
                page.locator("[data-testid=reader-gone]").waitFor();
                assertThat(page.locator("[data-testid=message]").count()).isZero();

                // Moved meanwhile: the old id is gone too, and the message opens in its new folder with its own body.
                Mailbox elsewhere = boxes.create(account.id(), "Elsewhere", null);
                CopyResult moved = boxes.move(account.id(), inbox.id(), List.of(m.get(5).uid()), elsewhere.id());
                go(page, inbox, ids.get(5));
                page.locator("[data-testid=reader-gone]").waitFor();
                String newId = "e" + elsewhere.id() + "-" + moved.destUids().getFirst();
                go(page, elsewhere, newId);
                shows(page, newId, "Message 6", "marker-6");

                assertThat(b.errors()).noneMatch(e -> e.startsWith("pageerror"));
            } catch (AssertionError | RuntimeException e) {
                page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "screenshots", "prefetch-failure.png")));
                throw new AssertionError(e.getMessage() + "\nbrowser errors: " + b.errors(), e);
            }

            // The prefetch request: 204 without a body for the owner, refused without the session or for another account.
            int https = server.server().port(Service.HTTPS.key());
            HttpClient http = WebLogin.client(server.sslContext());
            WebLogin owner = WebLogin.of(http, https, USER, PASSWORD);
            WebLogin other = WebLogin.of(http, https, OTHER, "other-prefetch-pw");
            String path = "/webmail/message/a" + account.id() + "/" + ids.get(0);
            HttpResponse<String> ok = prefetch(http, https, path, owner.cookie());
            assertThat(ok.statusCode()).isEqualTo(204);
            assertThat(ok.body()).isEmpty();
            assertThat(ok.headers().firstValue("cache-control")).hasValue("private, no-store");
            assertThat(prefetch(http, https, path, null).statusCode()).isEqualTo(401);
            // Another account's message and one that went away: the same empty 204 (a guess is never an error,
            // and tells nothing); the body itself stays 404 for them.
            assertThat(prefetch(http, https, path, other.cookie()).statusCode()).isEqualTo(204);
            assertThat(body(http, https, path, other.cookie()).statusCode()).isEqualTo(404);
            String expunged = "/webmail/message/a" + account.id() + "/" + ids.get(4);
            assertThat(prefetch(http, https, expunged, owner.cookie()).statusCode()).isEqualTo(204);
            assertThat(body(http, https, expunged, owner.cookie()).statusCode()).isEqualTo(404);
            assertThat(body(http, https, path, owner.cookie()).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> prefetch(HttpClient http, int port, String path, String cookie) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("X-Postern-Prefetch", "1").method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (cookie != null) r.header("Cookie", "__Host-postern=" + cookie);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> body(HttpClient http, int port, String path, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Cookie", "__Host-postern=" + cookie).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The reader shows this message: its subject, and its body frame with the marker text. */
    private static void shows(Page page, String id, String subject, String marker) {
        Locator section = page.locator("[data-testid=message][data-id=\"" + id + "\"]");
        section.locator("[data-testid=message-subject]").filter(new Locator.FilterOptions().setHasText(subject)).waitFor();
        page.frameLocator("[data-testid=message][data-id=\"" + id + "\"] iframe[data-testid=message-body]")
                .locator("body").filter(new Locator.FilterOptions().setHasText(marker)).waitFor();
    }

    private static Locator frameOf(Page page, String id) {
        return page.locator("[data-testid=message][data-id=\"" + id + "\"] iframe[data-testid=message-body]");
    }

    private static Locator row(Page page, String id) {
        return page.locator("[data-testid=message-row][data-id=\"" + id + "\"]");
    }

    private static void go(Page page, Mailbox box, String emailId) {
        page.evaluate("h => { location.hash = h; }", "#/mailbox/m" + box.id() + "/" + emailId);
    }

    /** Polls through Playwright, which delivers the page's events only while the test thread calls it. */
    private static void waitUntil(Page page, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + (long) (WAIT_MS * 1_000_000);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
            page.waitForTimeout(20);
        }
    }

    private static String last(String url) {
        String path = URI.create(url).getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static byte[] plain(int i) {
        return ("From: Sender " + i + " <s" + i + "@peers.test>\r\nTo: " + USER + "\r\nSubject: Message " + i + "\r\n"
                + "Message-ID: <p" + i + "@peers.test>\r\nDate: Fri, 27 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>marker-" + i + " body of message " + i + "</p>\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Script, an event handler and remote images: none may run or load from a warmed body. */
    private static byte[] hostile() throws Exception {
        String remote;
        try (InputStream in = WebmailPrefetchIT.class.getResourceAsStream("/webmail/hostile/a52-remote.eml")) {
            remote = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String body = remote.substring(remote.indexOf("\n\n") + 2);
        return ("From: Tracker <news@tracker.example>\r\nTo: " + USER + "\r\nSubject: Hostile prefetched\r\n"
                + "Message-ID: <hostile@tracker.example>\r\nDate: Fri, 27 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>marker-hostile</p><script>top.__pwned=1;alert(1)</script>"
                + "<img src=x onerror=\"top.__pwned=2;alert(2)\">\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n"))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static MessageRecord append(TestServer server, Account account, Mailbox box, byte[] raw, Instant received) throws Exception {
        String blob;
        try (BlobStore.BlobWriter w = server.store().blobs().create()) {
            w.stream().write(raw);
            blob = w.commit();
        }
        return server.store().mailboxes().append(account.id(), box.id(), blob, raw.length, Set.of(), received);
    }
}

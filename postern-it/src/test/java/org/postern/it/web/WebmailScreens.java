// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * The webmail's main screens, reached one after another the way a user would, for the tests that
 * look at every screen (screenshots, contrast, labels). A mailbox is seeded first: a plain message, a
 * two-message conversation and an HTML message with an inline image and two attachments, so the list
 * (threads on and off), the reader and search all have something real to show.
 */
final class WebmailScreens {
    static final String USER = "alice@example.test";
    static final String PASSWORD = "alice-screens-pw";
    static final String HTML_SUBJECT = "Site visit photos";
    static final double WAIT_MS = 15_000;
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** Every screen in tour order, by the name used in screenshot files. */
    static final List<String> NAMES = List.of("login", "list", "list-threads", "reader", "compose-rich", "compose-plain", "search",
            "settings-account", "settings-pop3", "settings-identities", "settings-vacation", "settings-setup");

    /** What the test does on each screen once it is shown. */
    @FunctionalInterface
    interface Visit {
        void at(String screen, Page page);
    }

    private WebmailScreens() {}

    /** Creates the user and delivers the messages the screens show. */
    static void seed(TestServer server) throws IOException {
        server.createUser(USER, PASSWORD);
        deliver(server, "Bob Sender <bob@far.test>", "Quarterly report", "", text("The numbers are in. Revenue is up 4% on last quarter."));
        deliver(server, "Carol Jones <carol@far.test>", "Team offsite in May", "Message-ID: <offsite-1@far.test>\r\n",
                text("Shall we go to the lake again this year?"));
        deliver(server, "Dan Brown <dan@far.test>", "Re: Team offsite in May",
                "In-Reply-To: <offsite-1@far.test>\r\nReferences: <offsite-1@far.test>\r\n", text("The lake sounds good to me."));
        String png = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABlklEQVR4nBXR4RiFMQiG4Q9hCEMIYQghhDCEEIbwIIQQQgghDOHs9Lu7662+72N8zA/5WB/6YR/7wz/OBx/xkR/10R/34/sGYzAHMlgDHdhgD3xwBgxikIMa9OCOByZjMicyWROd2GRPfHImTGKSk5r05M4HhCFMQYQlqGDCFlw4AkIIKZTQwpUHFmMxF7JYC13YYi98cRYsYpGLWvTirgeUoUxFlKWoYspWXDkKSiiplNLK1QeMYUxDjGWoYcY23DgGRhhplNHGtQc2YzM3slkb3dhmb3xzNmxik5va9ObuB5zhTEec5ahjznbcOQ5OOOmU0871Bw7jMA9yWAc92GEf/HAOHOKQhzr04Z4H/s95534HfCd5S77YL8gb/Zr/FZBQ0HDf679gBDOQYAUaWLADD0782yPIoIIObjyQjGQmkqxEE0t24snJ//BIMqmkk5sPFKOYhRSr0MKKXXhx6h8liiyq6OLWA81oZiPNarSxZjfenP4Hjyabarq5/cBlXOZFLuuiF7vsi1/O/a8Zl7zUpS/38gNq4ZAQG74ASAAAAABJRU5ErkJggg==";
        String pdf = java.util.Base64.getMimeEncoder().encodeToString(
                "%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        deliver(server, "Erin Field <erin@far.test>", HTML_SUBJECT, "",
                "Content-Type: multipart/mixed; boundary=\"m1\"\r\n\r\n"
                        + "--m1\r\nContent-Type: multipart/related; boundary=\"r1\"\r\n\r\n"
                        + "--r1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                        + "<h1>Site visit</h1><p>Hello Alice, here is the <b>north wall</b>:</p>"
                        + "<p><img src=\"cid:wall@far.test\" alt=\"north wall\" width=\"64\" height=\"64\"></p>"
                        + "<p>The plan and the full-size photo are attached. <a href=\"https://example.org/plan\">Plan online</a></p>\r\n"
                        + "--r1\r\nContent-Type: image/png\r\nContent-ID: <wall@far.test>\r\nContent-Disposition: inline\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n" + png + "\r\n--r1--\r\n"
                        + "--m1\r\nContent-Type: image/png; name=\"wall.png\"\r\nContent-Disposition: attachment; filename=\"wall.png\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n" + png + "\r\n"
                        + "--m1\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n--m1--\r\n");
    }

    private static String text(String body) {
        return "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
    }

    /** One message from outside, over SMTP port 25, to {@link #USER}. */
    static void deliver(TestServer server, String from, String subject, String extraHeaders, String mime) throws IOException {
        deliverTo(server, USER, from, subject, extraHeaders, mime);
    }

    /** One plain-text message from outside, over SMTP port 25. */
    static void deliverText(TestServer server, String to, String subject, String body) throws IOException {
        deliverTo(server, to, "Bob Sender <bob@far.test>", subject, "", text(body));
    }

    static void deliverTo(TestServer server, String to, String from, String subject, String extraHeaders, String mime) throws IOException {
        try (RawClient c = RawClient.connect(server.host(), server.smtpPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            c.readUntil("250 ");
            c.send("MAIL FROM:<" + from.replaceAll(".*<|>.*", "") + ">");
            c.expect("250");
            c.send("RCPT TO:<" + to + ">");
            c.expect("250");
            c.send("DATA");
            c.expect("354");
            c.sendRaw(extraHeaders + "From: " + from + "\r\nTo: <" + to + ">\r\nSubject: " + subject
                    + "\r\nDate: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())
                    + (extraHeaders.contains("Message-ID:") ? "" : "\r\nMessage-ID: <screens-" + SEQ.incrementAndGet() + "@far.test>")
                    + "\r\nMIME-Version: 1.0\r\n" + mime + ".\r\n");
            c.expect("250");
            c.send("QUIT");
        }
    }

    /**
     * Signs in through the form and shows every screen of {@link #NAMES} in turn, calling {@code visit}
     * once the screen's own element is visible. Leaves the page signed in on the Inbox.
     */
    static void tour(Page page, String base, Visit visit) {
        page.setDefaultTimeout(WAIT_MS);
        page.navigate(base + "/");
        page.evaluate("() => localStorage.clear()");
        page.navigate(base + "/");
        visible(page, "[data-testid=login-username]");
        visit.at("login", page);
        page.fill("[data-testid=login-username]", USER);
        page.fill("[data-testid=login-password]", PASSWORD);
        page.click("[data-testid=login-submit]");
        page.locator("[data-testid=current-user]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.ATTACHED));

        page.navigate(base + "/#/mailbox/inbox");
        visible(page, "[data-testid=message-row][data-id]");
        rows(page, 4);
        visit.at("list", page);

        Locator threads = page.locator("[data-testid=threads-toggle]");
        threads.check();
        rows(page, 3);
        // The conversation's size and senders come just after its row (list.js): show them too.
        visible(page, "[data-testid=row-count]:has-text('(2)')");
        visit.at("list-threads", page);
        threads.uncheck();
        rows(page, 4);

        String htmlId = emailIdBySubject(page, HTML_SUBJECT);
        page.navigate(base + "/#/mailbox/inbox/" + htmlId);
        visible(page, "[data-testid=attachment-name]:has-text('plan.pdf')");
        page.frameLocator("iframe[data-testid=message-body]").locator("img").waitFor();
        page.waitForCondition(() -> Boolean.TRUE.equals(page.frameLocator("iframe[data-testid=message-body]").locator("img")
                .evaluate("i => i.complete && i.naturalWidth > 0")), new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        visit.at("reader", page);

        page.click("[data-testid=compose-button]");
        visible(page, "[data-testid=compose][data-state=ready]");
        page.fill("[data-testid=compose-to]", "Bob <bob@far.test>");
        page.fill("[data-testid=compose-subject]", "Photos from the site visit");
        page.click("[data-testid=compose-body]");
        page.keyboard().type("Hi Bob, the photos are in the message below.");
        visit.at("compose-rich", page);
        page.click("[data-testid=editor-mode]");
        visible(page, "[data-testid=compose-body-text]");
        visit.at("compose-plain", page);
        page.click("[data-testid=editor-mode]"); // the mode is a saved preference: leave it rich
        visible(page, "[data-testid=compose-body]");
        page.click("[data-testid=compose-discard]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        // "Draft discarded" would otherwise cover the next screens.
        page.locator("[data-testid=toast]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.HIDDEN));

        // With a filter, so the heading's chip and result count are on the screen too.
        page.navigate(base + "/#/search?q=lake%20in:all");
        visible(page, "[data-testid=message-row][data-id]");
        visible(page, "[data-testid=result-count]:has-text('result')");
        visit.at("search", page);

        page.navigate(base + "/#/settings/account");
        visible(page, "[data-testid=password-current]");
        visit.at("settings-account", page);
        page.locator("[data-testid=pop3-save]").scrollIntoViewIfNeeded();
        visible(page, "[data-testid=pop3-keep]");
        visit.at("settings-pop3", page);

        page.navigate(base + "/#/settings/identities");
        visible(page, "[data-testid=identity-name]");
        visit.at("settings-identities", page);

        page.navigate(base + "/#/settings/vacation");
        visible(page, "[data-testid=vacation-text]");
        visit.at("settings-vacation", page);

        page.navigate(base + "/#/settings/setup");
        visible(page, "[data-testid=setup-check-status]:has-text('checked just now')");
        page.waitForFunction("() => { const i = document.querySelector('[data-testid=setup-qr]'); return i && i.complete && i.naturalWidth > 0; }");
        visit.at("settings-setup", page);

        page.navigate(base + "/#/mailbox/inbox");
        visible(page, "[data-testid=message-row][data-id]");
    }

    static void visible(Page page, String selector) {
        page.locator(selector).first().waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
    }

    private static void rows(Page page, int n) {
        page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == n,
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
    }

    /** The JMAP id of the newest email with this subject, asked by the signed-in page itself. */
    static String emailIdBySubject(Page page, String subject) {
        Object id = page.evaluate("""
                async (subject) => {
                  const s = await (await fetch('/.well-known/jmap', {credentials: 'same-origin'})).json();
                  const api = s.apiUrl.replace(/^[a-z]+:\\/\\/[^/]+/i, '');
                  const r = await fetch(api, {method: 'POST', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('postern.csrf') || ''},
                    body: JSON.stringify({using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
                      methodCalls: [['Email/query', {accountId: s.primaryAccounts['urn:ietf:params:jmap:mail'],
                        filter: {subject}, sort: [{property: 'receivedAt', isAscending: false}]}, '0']]})});
                  return (await r.json()).methodResponses[0][1].ids[0];
                }""", subject);
        if (!(id instanceof String s)) throw new AssertionError("no email with subject " + subject + ": " + id);
        return s;
    }
}

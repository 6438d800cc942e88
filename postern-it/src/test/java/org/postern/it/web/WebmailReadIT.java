// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.KeyboardModifier;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * Reading mail in the webmail, in real Chromium: sign in through the form, folders with unread
 * counts, open a message (sandboxed body frame), flag it, move it to a folder made in the UI, delete
 * it to Trash, search, and a message delivered by SMTP appearing without a reload (push).
 *
 * <p>Stable selectors (data-testid) the UI provides, used here and by other tests:
 * <ul>
 * <li>login: login-username, login-password, login-submit, login-error; shell: app-root, current-user,
 *     logout-button, compose-button, settings-link, menu-button, toast, live-region, shortcuts-help</li>
 * <li>folders: folder (data-role, data-name, aria-current=page when open), unread-count, folder-create,
 *     folder-rename, folder-delete; dialogs: dialog-input, dialog-ok, dialog-cancel</li>
 * <li>list: list-title, list-status, list-empty, message-list, message-row (data-id, data-unread,
 *     data-flagged, aria-selected), row-check, row-from, row-subject, select-all, selection-count,
 *     action-read, action-unread, action-flag, action-archive, action-delete, action-junk, action-notjunk,
 *     action-move (a select), empty-folder, sort-select, threads-toggle</li>
 * <li>reader: reader, reader-empty, message (data-id), message-subject, message-from, message-to,
 *     message-body (the iframe), auth-results, dmarc-warning, remote-content-bar, load-remote,
 *     always-remote, attachments, attachment, attachment-name, attachment-download, attachment-preview,
 *     image-preview, show-headers, raw-message, reader-back, reply, reply-all, forward, reader-archive,
 *     reader-delete, reader-flag, reader-unread, reader-junk</li>
 * <li>search: search-form, search-input, search-submit, search-options, search-filters, search-from,
 *     search-to, search-subject, search-after, search-before, search-has-attachment, search-all-folders</li>
 * </ul>
 */
class WebmailReadIT {
    private static final String USER = "alice@example.test";
    private static final String PASSWORD = "alice-webmail-pw";
    private static final double WAIT_MS = 15_000;
    private static final AtomicInteger SEQ = new AtomicInteger();

    @Test
    void readFlagMoveDeleteSearchAndPush() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            server.createUser(USER, PASSWORD);
            deliver(server, "Quarterly report", "The numbers are in.");
            deliver(server, "Lunch plans", "Pizza on Friday?");

            BrowserContext ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                    .setViewportSize(1280, 800).setColorScheme(ColorScheme.LIGHT));
            Page page = ctx.newPage();
            page.setDefaultTimeout(WAIT_MS);
            List<String> failed = failedResponses(page);
            try {
                scenario(server, b, page);
            } catch (AssertionError | RuntimeException e) {
                page.screenshot(new Page.ScreenshotOptions().setPath(shot("failure.png")));
                throw new AssertionError(e.getMessage() + "\nbrowser errors: " + b.errors() + "\nfailed responses: " + failed, e);
            }
        }
    }

    private static void scenario(TestServer server, Browser b, Page page) throws IOException {
        String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        Browser.login(page, base, USER, PASSWORD);

        // Folders with unread counts; the Inbox opens by itself.
        Locator inbox = page.locator("[data-testid=folder][data-role=inbox]");
        waitText(inbox.locator("[data-testid=unread-count]"), "2");
        page.locator("[data-testid=current-user]").waitFor();
        assertThat(page.locator("[data-testid=current-user]").textContent()).isEqualTo(USER);
        Locator report = row(page, "Quarterly report");
        report.waitFor();
        assertThat(report.getAttribute("data-unread")).isEqualTo("true");
        assertThat(page.locator("[data-testid=message-row]").count()).isEqualTo(2);

        // Open: header, body in a sandboxed frame without scripts or same-origin; read count drops.
        report.click();
        page.locator("[data-testid=message-subject]").filter(new Locator.FilterOptions().setHasText("Quarterly report")).waitFor();
        Locator frame = page.locator("iframe[data-testid=message-body]");
        assertThat(frame.getAttribute("sandbox")).isEqualTo("allow-popups allow-popups-to-escape-sandbox");
        assertThat(page.frameLocator("iframe[data-testid=message-body]").locator("body").textContent())
                .contains("The numbers are in.");
        waitText(inbox.locator("[data-testid=unread-count]"), "1");
        page.screenshot(new Page.ScreenshotOptions().setPath(shot("read-desktop-light.png")));

        // Flag.
        page.click("[data-testid=reader-flag]");
        page.waitForCondition(() -> "true".equals(row(page, "Quarterly report").getAttribute("data-flagged")),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));

        // A folder made in the UI; the open message moved there with the toolbar's Move.
        page.click("[data-testid=folder-create]");
        page.fill("[data-testid=dialog-input]", "Projects");
        page.click("[data-testid=dialog-ok]");
        Locator projects = page.locator("[data-testid=folder][data-name=Projects]");
        projects.waitFor();
        row(page, "Quarterly report").click();
        page.locator("[data-testid=action-move]").selectOption(new SelectOption().setLabel("Projects"));
        row(page, "Quarterly report").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        projects.click();
        waitText(page.locator("[data-testid=list-title]"), "Projects");
        Locator moved = row(page, "Quarterly report");
        moved.waitFor();
        assertThat(moved.getAttribute("data-flagged")).isEqualTo("true");

        // Delete goes to Trash.
        moved.click();
        page.locator("[data-testid=message-subject]").filter(new Locator.FilterOptions().setHasText("Quarterly report")).waitFor();
        page.click("[data-testid=reader-delete]");
        moved.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        page.click("[data-testid=folder][data-role=trash]");
        waitText(page.locator("[data-testid=list-title]"), "Trash");
        row(page, "Quarterly report").waitFor();

        // Search, over all folders, finds the other message by a word of its body.
        page.fill("[data-testid=search-input]", "pizza in:all");
        page.press("[data-testid=search-input]", "Enter");
        row(page, "Lunch plans").waitFor();
        assertThat(page.locator("[data-testid=message-row]").count()).isEqualTo(1);

        // Push: back in the Inbox, a new message arrives without a reload.
        inbox.click();
        waitText(page.locator("[data-testid=list-title]"), "Inbox");
        row(page, "Lunch plans").waitFor();
        Object marker = page.evaluate("() => (window.__postern_marker = Math.random())");
        deliver(server, "Fresh news", "Pushed to you.");
        row(page, "Fresh news").waitFor();
        // "Lunch plans" was read when auto-advance opened it after the move above: only the new one is unread.
        waitText(inbox.locator("[data-testid=unread-count]"), "1");
        assertThat(page.evaluate("() => window.__postern_marker")).as("no reload happened").isEqualTo(marker);

        // Sort by subject and oldest first.
        page.locator("[data-testid=sort-select]").selectOption("subject");
        page.waitForCondition(() -> "Fresh news".equals(page.locator("[data-testid=message-row][data-id] [data-testid=row-subject]").first().textContent())
                && page.locator("[data-testid=message-row][data-id]").first().evaluate("r => r.style.transform").toString().contains("(0px)"),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        page.locator("[data-testid=sort-select]").selectOption("date-desc");

        // Keyboard: j opens the first, j the next, k back; e archives the open one.
        page.locator("[data-testid=message-list]").focus();
        page.keyboard().press("j");
        waitText(page.locator("[data-testid=message-subject]"), "Fresh news");
        page.keyboard().press("j");
        waitText(page.locator("[data-testid=message-subject]"), "Lunch plans");
        page.keyboard().press("k");
        waitText(page.locator("[data-testid=message-subject]"), "Fresh news");
        page.keyboard().press("e");
        row(page, "Fresh news").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        page.click("[data-testid=folder][data-role=archive]");
        row(page, "Fresh news").waitFor();
        inbox.click();
        row(page, "Lunch plans").waitFor();

        // The shortcut overlay opens on "?".
        page.locator("[data-testid=message-list]").focus();
        page.keyboard().press("?");
        page.locator("[data-testid=shortcuts-help]").waitFor();
        page.keyboard().press("Escape");

        // Phone size and dark theme: one pane at a time.
        page.setViewportSize(390, 800);
        page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.DARK));
        page.screenshot(new Page.ScreenshotOptions().setPath(shot("list-phone-dark.png")));
        assertThat(page.locator("[data-testid=folder-create]").isVisible()).as("folders hide behind the menu").isFalse();
        row(page, "Lunch plans").click();
        page.locator("[data-testid=reader-back]").waitFor();
        assertThat(page.locator("[data-testid=message-list]").isVisible()).as("one pane at a time").isFalse();
        page.screenshot(new Page.ScreenshotOptions().setPath(shot("read-phone-dark.png")));
        page.click("[data-testid=reader-back]");
        page.locator("[data-testid=message-list]").waitFor();
        page.click("[data-testid=menu-button]");
        page.locator("[data-testid=folder-create]").waitFor();

        assertThat(b.errors()).isEmpty();
        assertThat(b.dialogs()).isEmpty();
        assertThat(b.foreignRequests()).isEmpty();
    }

    @Test
    void selectDragJunkAttachmentsHeadersAndEmptyTrash() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            server.createUser(USER, PASSWORD);
            deliverRaw(server, "Spoofed", "Authentication-Results: localhost; spf=fail smtp.mailfrom=far.test; dkim=none;"
                    + " dmarc=fail (p=reject) header.from=far.test\r\n", "Content-Type: text/plain\r\n\r\nPay now.\r\n");
            for (int i = 1; i <= 3; i++) deliver(server, "Bulk " + i, "Bulk body " + i);
            deliverRaw(server, "With attachment", "Authentication-Results: forged.test; dmarc=fail header.from=far.test\r\n",
                    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                    + "<p>See the <b>picture</b>.<img src=\"https://tracker.invalid/pixel.png\"></p>\r\n--b1\r\n"
                    + "Content-Type: image/png; name=\"dot.png\"\r\nContent-Disposition: attachment; filename=\"dot.png\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n" + PNG + "\r\n--b1--\r\n");
            Page page = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 800)).newPage();
            page.setDefaultTimeout(WAIT_MS);
            List<String> failed = failedResponses(page);
            try {
                manage(server, b, page);
            } catch (AssertionError | RuntimeException e) {
                page.screenshot(new Page.ScreenshotOptions().setPath(shot("failure-2.png")));
                throw new AssertionError(e.getMessage() + "\nbrowser errors: " + b.errors() + "\nfailed responses: " + failed, e);
            }
        }
    }

    private static void manage(TestServer server, Browser b, Page page) {
        String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        Browser.login(page, base, USER, PASSWORD);
        Locator inbox = page.locator("[data-testid=folder][data-role=inbox]");
        waitText(inbox.locator("[data-testid=unread-count]"), "5");

        // The search form's filters: has attachment, all folders.
        page.click("[data-testid=search-options]");
        page.check("[data-testid=search-has-attachment]");
        page.check("[data-testid=search-all-folders]");
        page.locator("[data-testid=search-filters] button[type=submit]").click();
        row(page, "With attachment").waitFor();
        page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == 1,
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        assertThat(page.inputValue("[data-testid=search-input]")).isEqualTo("has:attachment in:all");
        inbox.click();
        row(page, "Bulk 3").waitFor();

        // Click opens Bulk 3; shift-click on Bulk 1 selects the three; mark them read from the toolbar.
        row(page, "Bulk 3").click();
        row(page, "Bulk 1").click(new Locator.ClickOptions().setModifiers(List.of(KeyboardModifier.SHIFT)));
        waitText(page.locator("[data-testid=selection-count]"), "3 selected");
        row(page, "Bulk 2").click(new Locator.ClickOptions().setModifiers(List.of(KeyboardModifier.CONTROL)));
        waitText(page.locator("[data-testid=selection-count]"), "2 selected");
        row(page, "Bulk 2").click(new Locator.ClickOptions().setModifiers(List.of(KeyboardModifier.CONTROL)));
        waitText(page.locator("[data-testid=selection-count]"), "3 selected");
        page.click("[data-testid=action-read]");
        waitText(inbox.locator("[data-testid=unread-count]"), "2");

        // Drag the selection onto a new folder.
        page.click("[data-testid=folder-create]");
        page.fill("[data-testid=dialog-input]", "Later");
        page.click("[data-testid=dialog-ok]");
        Locator later = page.locator("[data-testid=folder][data-name=Later]");
        later.waitFor();
        row(page, "Bulk 2").dragTo(later);
        row(page, "Bulk 1").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        later.click();
        waitText(page.locator("[data-testid=list-title]"), "Later");
        page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == 3,
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));

        // Rename the folder.
        page.click("[data-testid=folder-rename]");
        page.fill("[data-testid=dialog-input]", "Someday");
        page.click("[data-testid=dialog-ok]");
        Locator someday = page.locator("[data-testid=folder][data-name=Someday]");
        someday.waitFor();
        assertThat(later.count()).isZero();

        // Junk, then not junk: Junk folder and back to the Inbox.
        row(page, "Bulk 1").click();
        page.click("[data-testid=reader-junk]");
        row(page, "Bulk 1").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        page.click("[data-testid=folder][data-role=junk]");
        row(page, "Bulk 1").click();
        page.click("[data-testid=action-notjunk]");
        row(page, "Bulk 1").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        inbox.click();
        row(page, "Bulk 1").waitFor();

        // Delete the renamed folder with the two messages still in it (asked twice).
        someday.click();
        waitText(page.locator("[data-testid=list-title]"), "Someday");
        page.click("[data-testid=folder-delete]");
        page.click("[data-testid=dialog-ok]");
        page.click("[data-testid=dialog-ok]");
        someday.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        waitText(page.locator("[data-testid=list-title]"), "Inbox");

        // Attachments, image preview, the server's own authentication verdict (a forged one lower down
        // is ignored), remote content blocked until asked for, and the original message as text.
        row(page, "With attachment").click();
        Locator att = page.locator("[data-testid=attachment]");
        att.waitFor();
        assertThat(att.locator("[data-testid=attachment-name]").textContent()).isEqualTo("dot.png");
        assertThat(att.textContent()).contains("image/png");
        page.click("[data-testid=attachment-preview]");
        page.waitForCondition(() -> (Boolean) page.evaluate(
                "() => { const i = document.querySelector('[data-testid=image-preview] img'); return !!i && i.complete && i.naturalWidth > 0; }"),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        page.keyboard().press("Escape");
        // Only a verdict written under our own name (the server strips those from incoming mail) counts.
        assertThat(page.locator("[data-testid=dmarc-warning]").count()).isZero();
        assertThat(page.locator("[data-testid=auth-results]").count()).isZero();
        page.locator("[data-testid=remote-content-bar]").waitFor();
        assertThat(page.frameLocator("iframe[data-testid=message-body]").locator("b").textContent()).isEqualTo("picture");
        assertThat(b.foreignRequests()).isEmpty();
        page.click("[data-testid=show-headers]");
        assertThat(page.locator("[data-testid=raw-message]").textContent()).contains("Subject: With attachment");
        page.click("[data-testid=load-remote]");
        page.waitForCondition(() -> b.foreignRequests().stream().anyMatch(u -> u.contains("tracker.invalid")),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));

        // Our server's verdict says DMARC failed: a clear warning.
        row(page, "Spoofed").click();
        page.locator("[data-testid=dmarc-warning]").waitFor();
        assertThat(page.locator("[data-testid=dmarc-warning]").textContent()).contains("bob@far.test");
        assertThat(page.locator("[data-testid=auth-results]").textContent()).contains("SPF fail").contains("DMARC fail");
        row(page, "With attachment").click();
        page.locator("[data-testid=attachment]").waitFor();

        // Delete to Trash, then empty the Trash.
        page.click("[data-testid=reader-delete]");
        row(page, "With attachment").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        page.click("[data-testid=folder][data-role=trash]");
        row(page, "With attachment").waitFor();
        page.click("[data-testid=empty-folder]");
        page.click("[data-testid=dialog-ok]");
        page.locator("[data-testid=list-empty]").waitFor();

        // The conversation toggle is a preference stored on the server: it survives a reload.
        page.click("[data-testid=threads-toggle]");
        page.waitForCondition(() -> page.locator("[data-testid=threads-toggle]").isChecked(),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        page.waitForTimeout(300); // let the Settings/set in flight finish before the reload
        page.reload();
        page.locator("[data-testid=folder][data-role=inbox]").waitFor();
        assertThat(page.locator("[data-testid=threads-toggle]").isChecked()).isTrue();

        // The pure parts of the UI, table-driven in the browser itself.
        Object auth = page.evaluate("async () => { const m = await import('/js/mail/authresults.js'); return ["
                + "m.parseAuthResults('mx.example.test; spf=pass smtp.mailfrom=a.test; dkim=fail (bad sig) header.d=a.test; dkim=pass header.d=a.test; dmarc=fail (p=reject) header.from=a.test'),"
                + "m.parseAuthResults('mx.example.test (comment; dmarc=fail); spf=none'),"
                + "m.parseAuthResults('x; dmarc=\\\"pass\\\"; spf=(unbalanced'),"
                + "m.parseAuthResults('')].map(r => r && [r.spf, r.dkim, r.dmarc, r.headerFrom].join(','))}");
        assertThat(auth).isEqualTo(List.of("pass,pass,fail,a.test", "none,,,", ",,,", "").stream()
                .map(s -> s.isEmpty() ? null : s).toList());
        Object query = page.evaluate("async () => { const m = await import('/js/search/query.js'); return ["
                + "JSON.stringify(m.toFilter(m.parseQuery('invoice from:bob has:attachment after:2024-01-31 in:all'), 'mb1', ['t'])),"
                + "JSON.stringify(m.toFilter(m.parseQuery('subject:\\\"big news\\\" is:unread'), 'mb1', [])),"
                + "JSON.stringify(m.toFilter(m.parseQuery('<script>alert(1)</script>'), null, []))]}");
        assertThat(query).isEqualTo(List.of(
                "{\"text\":\"invoice\",\"from\":\"bob\",\"after\":\"2024-01-31T00:00:00Z\",\"hasAttachment\":true,\"inMailboxOtherThan\":[\"t\"]}",
                "{\"subject\":\"big news\",\"notKeyword\":\"$seen\",\"inMailbox\":\"mb1\"}",
                "{\"text\":\"<script>alert(1)</script>\"}"));

        // The one allowed error: the harness aborting the remote image we asked for.
        List<String> errors = b.errors().stream().filter(e -> !e.contains("ERR_BLOCKED_BY_CLIENT")).toList();
        assertThat(errors).isEmpty();
        assertThat(b.dialogs()).isEmpty();
    }

    /** Every response with status 400 or more, as "status METHOD url (request body)", for failure messages. */
    private static List<String> failedResponses(Page page) {
        List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        page.onResponse(r -> {
            if (r.status() >= 400) {
                String body = r.request().postData();
                out.add(r.status() + " " + r.request().method() + " " + r.url()
                        + (body == null ? "" : " " + body.substring(0, Math.min(400, body.length()))));
            }
        });
        return out;
    }

    private static Locator row(Page page, String subject) {
        return page.locator("[data-testid=message-row]").filter(new Locator.FilterOptions()
                .setHas(page.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText(subject))));
    }

    /** Waits (with the test's deadline) until an element's text is exactly {@code text}. */
    private static void waitText(Locator l, String text) {
        l.page().waitForCondition(() -> l.count() > 0 && text.equals(l.first().textContent()),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
    }

    private static Path shot(String name) {
        return Path.of("target", "screenshots", "webmail-read-" + name);
    }

    /** A 1x1 PNG. */
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    /** One message from outside, over SMTP port 25, to the test user. */
    static void deliver(TestServer server, String subject, String body) throws IOException {
        deliverRaw(server, subject, "", "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n");
    }

    /** As {@link #deliver}, with extra header lines and the MIME headers and body as given. */
    static void deliverRaw(TestServer server, String subject, String extraHeaders, String mime) throws IOException {
        try (RawClient c = RawClient.connect(server.host(), server.smtpPort())) {
            c.expect("220");
            c.send("EHLO client.test");
            c.readUntil("250 ");
            c.send("MAIL FROM:<bob@far.test>");
            c.expect("250");
            c.send("RCPT TO:<" + USER + ">");
            c.expect("250");
            c.send("DATA");
            c.expect("354");
            c.sendRaw(extraHeaders + "From: Bob Sender <bob@far.test>\r\nTo: Alice <" + USER + ">\r\nSubject: " + subject
                    + "\r\nDate: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())
                    + "\r\nMessage-ID: <read-" + SEQ.incrementAndGet() + "@far.test>\r\nMIME-Version: 1.0\r\n"
                    + mime + ".\r\n");
            c.expect("250");
            c.send("QUIT");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * Attachments previewed from our origin only when harmless (a PDF opens inline in a new tab, an HTML
 * or SVG attachment never does, even when the URL asks), attachment names that are not path-safe
 * ("../../x.html", CR/LF), the next message opening after archive/delete, subfolders (create inside,
 * collapse, move to the top), and the admin link shown to administrators only.
 *
 * <p>Selectors besides WebmailReadIT's: attachment-open (the PDF's new-tab link), folder-toggle,
 * folder-move, dialog-parent (the "Inside" select of the folder dialogs), admin-link.
 */
class WebmailPreviewIT {
    private static final String USER = "alice@example.test";
    private static final String PASSWORD = "alice-webmail-pw";
    private static final double WAIT_MS = 15_000;
    private static final String PDF = Base64.getEncoder().encodeToString(("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            + "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n").getBytes(StandardCharsets.US_ASCII));

    @Test
    void previewsNamesNextMessageSubfoldersAndAdminLink() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            server.createUser(USER, PASSWORD);
            server.createAdmin("root@example.test", "root-webmail-pw");
            WebmailReadIT.deliverRaw(server, "Files", "", "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
                    + "Content-Type: text/plain\r\n\r\nSee attached.\r\n"
                    + part("application/pdf", "report.pdf", PDF)
                    + part("text/html", "../../x.html", b64("<script>alert(1)</script>"))
                    + part("image/svg+xml", "logo.svg", b64("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"))
                    + "--b1\r\nContent-Type: text/plain; name=\"=?utf-8?q?a=0D=0Ab=5Cc.txt?=\"\r\n"
                    + "Content-Disposition: attachment; filename*=utf-8''a%0D%0Ab%5Cc.txt\r\n\r\nplain\r\n--b1--\r\n");
            for (String s : List.of("Next one", "Next two", "Next three")) WebmailReadIT.deliver(server, s, "Body of " + s);

            BrowserContext ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 800));
            Page page = ctx.newPage();
            page.setDefaultTimeout(WAIT_MS);
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
            Browser.login(page, base, USER, PASSWORD);
            page.locator("[data-testid=folder][data-role=inbox]").waitFor();

            // The path-safe name, table-driven in the browser itself.
            Object names = page.evaluate("async () => { const m = await import('/js/core/jmap.js'); return "
                    + "['../../x.html', 'a\\r\\nb\\\\c', '..', '.', '', '100%;x', 'Grüße.pdf', 'x'.repeat(300)].map(m.pathSafeName); }");
            assertThat(names).isEqualTo(List.of(".._.._x.html", "a__b_c", "_..", "_.", "download", "100__x", "Grüße.pdf", "x".repeat(200)));
            attachments(ctx, page, base);
            nextMessage(page);
            subfolders(page);
            assertThat(page.locator("[data-testid=admin-link]").isVisible()).as("no admin link for a user").isFalse();
            assertThat(b.errors()).isEmpty();
            assertThat(b.dialogs()).isEmpty();
            assertThat(b.foreignRequests()).isEmpty();

            Page admin = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 800)).newPage();
            admin.setDefaultTimeout(WAIT_MS);
            Browser.login(admin, base, "root@example.test", "root-webmail-pw");
            admin.locator("[data-testid=admin-link]").waitFor();
            assertThat(admin.locator("[data-testid=admin-link]").getAttribute("href")).isEqualTo("/admin/");
        }
    }

    private static void attachments(BrowserContext ctx, Page page, String base) {
        row(page, "Files").click();
        page.locator("[data-testid=attachment]").first().waitFor();
        Locator pdf = attachment(page, "report.pdf");
        Locator open = pdf.locator("[data-testid=attachment-open]");
        assertThat(open.getAttribute("target")).isEqualTo("_blank");
        assertThat(open.getAttribute("rel")).contains("noopener");
        String pdfUrl = open.getAttribute("href");
        assertThat(pdfUrl).endsWith("&disposition=inline");
        APIResponse r = ctx.request().get(base + pdfUrl);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("content-disposition")).startsWith("inline");
        assertThat(r.headers().get("content-type")).startsWith("application/pdf");
        // A new tab (headless Chromium has no PDF viewer, so it may only download there).
        page.waitForPopup(open::click).close();

        // HTML and SVG: no preview, no open; a hand-made inline URL still downloads as an attachment.
        for (String name : List.of("../../x.html", "logo.svg")) {
            Locator a = attachment(page, name);
            assertThat(a.locator("[data-testid=attachment-open]").count()).isZero();
            assertThat(a.locator("[data-testid=attachment-preview]").count()).isZero();
            String url = a.locator("[data-testid=attachment-download]").getAttribute("href");
            assertThat(url.substring(0, url.indexOf('?'))).doesNotContain("%2F").doesNotContain("%5C");
            for (String u : List.of(url, url + "&disposition=inline")) {
                APIResponse d = ctx.request().get(base + u);
                assertThat(d.status()).as(u).isEqualTo(200);
                assertThat(d.headers().get("content-disposition")).as(u).startsWith("attachment");
            }
        }
        // A name with CR/LF and a backslash still makes a URL the server answers.
        Locator crlf = page.locator("[data-testid=attachment]").filter(new Locator.FilterOptions().setHasText(".txt"));
        String url = crlf.locator("[data-testid=attachment-download]").getAttribute("href");
        assertThat(url.substring(0, url.indexOf('?'))).doesNotContain("%0D").doesNotContain("%0A").doesNotContain("%5C");
        APIResponse d = ctx.request().get(base + url);
        assertThat(d.status()).isEqualTo(200);
        assertThat(d.text()).isEqualTo("plain");
    }

    /** Archive and delete of the open message open its neighbour below, else above (Gmail). */
    private static void nextMessage(Page page) {
        page.click("[data-testid=folder][data-role=inbox]");
        page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == 4,
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        List<String> order = page.locator("[data-testid=message-row][data-id] [data-testid=row-subject]").allTextContents();
        // Open the second row, delete it: the third opens. Archive that: the fourth. Archive the last: the first.
        row(page, order.get(1)).click();
        waitSubject(page, order.get(1));
        page.click("[data-testid=reader-delete]");
        waitSubject(page, order.get(2));
        page.click("[data-testid=reader-archive]");
        waitSubject(page, order.get(3));
        page.click("[data-testid=reader-archive]");
        waitSubject(page, order.get(0));
        page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == 1,
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
    }

    private static void subfolders(Page page) {
        page.click("[data-testid=folder-create]");
        page.fill("[data-testid=dialog-input]", "Clients");
        page.click("[data-testid=dialog-ok]");
        Locator clients = page.locator("[data-testid=folder][data-name=Clients]");
        clients.waitFor();
        page.click("[data-testid=folder-create]");
        page.fill("[data-testid=dialog-input]", "Acme");
        page.locator("[data-testid=dialog-parent]").selectOption(new SelectOption().setLabel("Clients"));
        page.click("[data-testid=dialog-ok]");
        Locator nested = page.locator("li:has(> .folder-row [data-name=Clients]) > ul [data-testid=folder][data-name=Acme]");
        nested.waitFor();

        // Collapse and expand: the state is a preference.
        Locator toggle = page.locator("li:has(> .folder-row [data-name=Clients]) > .folder-row [data-testid=folder-toggle]");
        assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
        toggle.click();
        nested.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.HIDDEN));
        page.locator("li:has(> .folder-row [data-name=Clients]) > .folder-row [data-testid=folder-toggle]").click();
        nested.waitFor();

        // The move targets name the path; then Acme moves to the top level.
        assertThat(page.locator("[data-testid=action-move] option").allTextContents()).contains("Clients/Acme");
        nested.click();
        page.click("[data-testid=folder-move]");
        page.locator("[data-testid=dialog-parent]").selectOption("");
        page.click("[data-testid=dialog-ok]");
        nested.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        page.locator(".folder-list > li > .folder-row [data-testid=folder][data-name=Acme]").waitFor();
    }

    private static String part(String type, String name, String base64) {
        return "--b1\r\nContent-Type: " + type + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\""
                + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n";
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Locator attachment(Page page, String name) {
        return page.locator("[data-testid=attachment]").filter(new Locator.FilterOptions()
                .setHas(page.locator("[data-testid=attachment-name]", new Page.LocatorOptions().setHasText(name))));
    }

    private static Locator row(Page page, String subject) {
        return page.locator("[data-testid=message-row]").filter(new Locator.FilterOptions()
                .setHas(page.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText(subject))));
    }

    private static void waitSubject(Page page, String subject) {
        Locator l = page.locator("[data-testid=message-subject]");
        page.waitForCondition(() -> l.count() > 0 && subject.equals(l.first().textContent()),
                new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
    }
}

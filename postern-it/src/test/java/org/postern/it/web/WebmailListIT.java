// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The webmail's message list rows and search heading (issue 7), in Chromium:
 * <ul>
 * <li>conversation view: a row standing for a three-message thread shows "(3)" and its senders by first
 *     name, bold while any member is unread; the flat view shows no count; the hover action "mark as
 *     read" reads the whole conversation;</li>
 * <li>the attachment mark: a labelled image ("Has attachment", with a tooltip) on the row with an
 *     attachment only; the flag star: labelled, and a mouse target that flags;</li>
 * <li>a long search: its whole free text in the heading and the full query in the tooltip, each
 *     filter a chip that removes itself, and the number of results.</li>
 * </ul>
 * Test ids (list.js, mail/index.js): row-from, row-count, row-date, row-flag, row-attachment,
 * row-archive, row-delete, row-read (hover actions), list-title, search-query, search-summary,
 * search-chips, search-chip, result-count.
 */
class WebmailListIT {
    private static final String USER = "lena@example.test";
    private static final String PASSWORD = "lena-list-pw";
    private static final double WAIT_MS = 15_000;
    private static final String WORDS = "riverside warehouse renovation phase two appendix with the revised floor plans and costings";

    @Test
    void conversationCountsAttachmentMarkFlagAndSearchHeading() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            seed(server);
            BrowserContext ctx = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                    .setViewportSize(1280, 800).setColorScheme(ColorScheme.LIGHT));
            Page page = ctx.newPage();
            page.setDefaultTimeout(WAIT_MS);
            try {
                scenario(server, page);
            } catch (AssertionError | RuntimeException e) {
                page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "webmail-list-failure.png")));
                throw new AssertionError(e.getMessage() + "\nbrowser errors: " + b.errors(), e);
            }
            assertThat(b.errors()).isEmpty();
            assertThat(b.foreignRequests()).isEmpty();
        }
    }

    private static void seed(TestServer server) throws IOException {
        server.createUser(USER, PASSWORD);
        WebmailScreens.deliverTo(server, USER, "Carol Jones <carol@far.test>", "Budget 2027", "Message-ID: <budget-1@far.test>\r\n",
                text("First draft of the budget."));
        WebmailScreens.deliverTo(server, USER, "Dan Brown <dan@far.test>", "Re: Budget 2027",
                "Message-ID: <budget-2@far.test>\r\nIn-Reply-To: <budget-1@far.test>\r\nReferences: <budget-1@far.test>\r\n",
                text("Travel looks high."));
        WebmailScreens.deliverTo(server, USER, "Erin Field <erin@far.test>", "Re: Budget 2027",
                "In-Reply-To: <budget-2@far.test>\r\nReferences: <budget-1@far.test> <budget-2@far.test>\r\n", text("Agreed, cut travel."));
        String pdf = java.util.Base64.getMimeEncoder().encodeToString("%PDF-1.1\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        WebmailScreens.deliverTo(server, USER, "Frank Miller <frank@far.test>", "Signed contract", "",
                "Content-Type: multipart/mixed; boundary=\"m1\"\r\n\r\n"
                        + "--m1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe signed contract for the " + WORDS + ".\r\n"
                        + "--m1\r\nContent-Type: application/pdf; name=\"contract.pdf\"\r\n"
                        + "Content-Disposition: attachment; filename=\"contract.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + pdf + "\r\n--m1--\r\n");
        WebmailScreens.deliverTo(server, USER, "Gina Lopez <gina@far.test>", "Plain note", "", text("Nothing attached here."));
    }

    private static String text(String body) {
        return "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
    }

    private static void scenario(TestServer server, Page page) {
        String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        Browser.login(page, base, USER, PASSWORD);
        page.navigate(base + "/#/mailbox/inbox");
        waitFor(page, () -> page.locator("[data-testid=message-row][data-id]").count() == 5, "5 rows in the flat view");

        // Flat view: one row per message, no conversation count anywhere.
        for (Locator r : page.locator("[data-testid=message-row][data-id]").all()) {
            assertThat(r.locator("[data-testid=row-count]").textContent()).isEmpty();
            assertThat(r.getAttribute("data-count")).isEqualTo("1");
            assertThat(r.locator("[data-testid=row-date]").getAttribute("title")).isNotBlank();
        }

        // The attachment mark: labelled, with a tooltip, on the message with an attachment only.
        Locator contract = row(page, "Signed contract");
        Locator clip = contract.locator("[data-testid=row-attachment]");
        assertThat(clip.isVisible()).isTrue();
        assertThat(clip.getAttribute("role")).isEqualTo("img");
        assertThat(clip.getAttribute("aria-label")).isEqualTo("Has attachment");
        assertThat(clip.getAttribute("title")).isEqualTo("Has attachment");
        assertThat(clip.locator("svg").count()).isEqualTo(1);
        assertThat(contract.getAttribute("aria-label")).contains("Has attachment");
        Locator note = row(page, "Plain note");
        assertThat(note.locator("[data-testid=row-attachment]").isVisible()).isFalse();
        assertThat(note.getAttribute("aria-label")).doesNotContain("attachment");
        assertThat(page.locator("[data-testid=message-list]").textContent()).doesNotContain("+att");

        // The star: hidden on an unflagged row until hovered, then a mouse target that flags.
        Locator star = note.locator("[data-testid=row-flag]");
        assertThat(star.isVisible()).isFalse();
        note.hover();
        star.click();
        waitFor(page, () -> "true".equals(row(page, "Plain note").getAttribute("data-flagged")), "flagged from the star");
        Locator flagged = row(page, "Plain note").locator("[data-testid=row-flag]");
        page.mouse().move(0, 0);
        waitFor(page, flagged::isVisible, "the star of a flagged row shows without hover");
        assertThat(flagged.getAttribute("aria-label")).isEqualTo("Flagged");
        assertThat(flagged.getAttribute("title")).startsWith("Flagged");

        // Conversation view: the thread's row says "(3)", names its senders, is unread.
        page.locator("[data-testid=threads-toggle]").check();
        waitFor(page, () -> page.locator("[data-testid=message-row][data-id]").count() == 3, "3 rows in the conversation view");
        Locator budget = row(page, "Budget 2027");
        waitFor(page, () -> "(3)".equals(budget.locator("[data-testid=row-count]").textContent()), "(3) on the thread's row");
        waitFor(page, () -> "Carol, Dan, Erin".equals(budget.locator("[data-testid=row-from]").textContent()),
                "the senders of the conversation, got: " + budget.locator("[data-testid=row-from]").textContent());
        assertThat(budget.getAttribute("data-count")).isEqualTo("3");
        assertThat(budget.getAttribute("data-unread")).isEqualTo("true");
        assertThat(budget.getAttribute("aria-label")).contains("3 messages");
        assertThat(row(page, "Plain note").locator("[data-testid=row-count]").textContent()).isEmpty();

        // The hover action reads the whole conversation: the row stays read once the server answered.
        budget.hover();
        budget.locator("[data-testid=row-read]").waitFor();
        page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "screenshots", "list-hover-desktop-light.png")));
        budget.locator("[data-testid=row-read]").click();
        waitFor(page, () -> "false".equals(row(page, "Budget 2027").getAttribute("data-unread")), "the conversation read");
        page.reload();
        waitFor(page, () -> "Carol, Dan, Erin".equals(row(page, "Budget 2027").locator("[data-testid=row-from]").textContent()),
                "details again after a reload");
        assertThat(row(page, "Budget 2027").getAttribute("data-unread")).isEqualTo("false");

        // Back to the flat view: no count.
        page.locator("[data-testid=threads-toggle]").uncheck();
        waitFor(page, () -> page.locator("[data-testid=message-row][data-id]").count() == 5, "5 rows again");
        assertThat(page.locator("[data-testid=row-count]:not(:empty)").count()).isZero();

        // A long search: the whole free text in the heading, the full query in its tooltip, filters as chips.
        String query = WORDS + " from:frank has:attachment";
        page.navigate(base + "/#/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20") + "&mb=");
        Locator title = page.locator("[data-testid=list-title]");
        waitFor(page, () -> page.locator("[data-testid=search-query]").count() == 1, "the search heading");
        assertThat(page.locator("[data-testid=search-query]").textContent()).isEqualTo(WORDS);
        assertThat(title.getAttribute("title")).isEqualTo("Search in all folders: " + query);
        assertThat(title.evaluate("h => h.scrollWidth <= h.clientWidth + 1 && h.scrollHeight <= h.clientHeight + 1"))
                .as("the heading shows all of the text, not cut").isEqualTo(true);
        Locator chips = page.locator("[data-testid=search-chip]");
        assertThat(chips.allTextContents()).containsExactly("From: frank×", "Has attachment×");
        assertThat(chips.first().getAttribute("aria-label")).isEqualTo("Remove filter From: frank");
        waitFor(page, () -> page.locator("[data-testid=message-row][data-id]").count() == 1, "one result");
        waitFor(page, () -> "1 result".equals(page.locator("[data-testid=result-count]").textContent()), "the result count");
        page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "screenshots", "list-long-search-desktop-light.png")));
        assertThat(row(page, "Signed contract").isVisible()).isTrue();
        // Opening a result keeps the heading and its count.
        row(page, "Signed contract").click();
        page.locator("[data-testid=message-subject]:has-text('Signed contract')").waitFor();
        assertThat(page.locator("[data-testid=result-count]").textContent()).isEqualTo("1 result");
        assertThat(page.locator("[data-testid=search-query]").textContent()).isEqualTo(WORDS);

        // Removing a chip searches again without that filter, the rest of the query unchanged.
        chips.nth(1).click();
        waitFor(page, () -> page.locator("[data-testid=search-chip]").count() == 1, "one chip left");
        assertThat(page.inputValue("[data-testid=search-input]")).isEqualTo(WORDS + " from:frank");
        waitFor(page, () -> "1 result".equals(page.locator("[data-testid=result-count]").textContent()), "the count again");

        // Markup in a query is text in the heading and in its chips, never elements.
        String hostile = "<img src=x onerror=alert(1)> from:\"<b>x</b>\"";
        page.navigate(base + "/#/search?q=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8).replace("+", "%20") + "&mb=");
        waitFor(page, () -> "<img src=x onerror=alert(1)>".equals(page.locator("[data-testid=search-query]").textContent()), "the hostile heading");
        assertThat(page.locator("[data-testid=list-title] img, [data-testid=search-chips] b").count()).isZero();
        assertThat(page.locator("[data-testid=search-chip]").allTextContents()).containsExactly("From: <b>x</b>×");

        // A folder's heading has no search summary.
        page.navigate(base + "/#/mailbox/inbox");
        waitFor(page, () -> "Inbox".equals(title.textContent()), "the Inbox heading");
        assertThat(page.locator("[data-testid=search-summary]").isVisible()).isFalse();

        describeQueryTable(page);
    }

    /** search/query.js describeQuery: the heading's free text and its chips, each with the query without it. */
    private static void describeQueryTable(Page page) {
        String[][] cases = {
            // query, text, chips as "label=>without" joined by " | "
            {"pizza in:all", "pizza", "All folders=>pizza"},
            {"from:\"Carol Jones\" \"exact phrase\" lake", "\"exact phrase\" lake", "From: Carol Jones=>\"exact phrase\" lake"},
            {"is:unread is:starred before:2025-01-01", "", "Unread=>is:starred before:2025-01-01 | Flagged=>is:unread before:2025-01-01"
                    + " | Before 2025-01-01=>is:unread is:starred"},
            {"has:nothing after:2024-13-45 x", "has:nothing after:2024-13-45 x", ""},
            {"Jürgen from:jürgen@例え.jp", "Jürgen", "From: jürgen@例え.jp=>Jürgen"},
            {"subject:\"unterminated", "", "Subject: \"unterminated=>"},
            {"", "", ""},
            {"   ", "", ""},
        };
        for (String[] c : cases) {
            Object got = page.evaluate("async (q) => { const m = await import('/js/search/query.js'); const d = m.describeQuery(q);"
                    + " return [d.text, d.chips.map((x) => x.label + '=>' + x.without).join(' | ')]; }", c[0]);
            assertThat(got).as("describeQuery(%s)", c[0]).isEqualTo(java.util.List.of(c[1], c[2]));
        }
        // Bounded: a 100,000-character query is read as its first 1,000.
        Object n = page.evaluate("async () => (await import('/js/search/query.js')).describeQuery('x'.repeat(100000)).text.length");
        assertThat(((Number) n).intValue()).isEqualTo(1000);
    }

    private static Locator row(Page page, String subject) {
        return page.locator("[data-testid=message-row][data-id]")
                .filter(new Locator.FilterOptions().setHas(page.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText(subject))))
                .first();
    }

    private static void waitFor(Page page, BooleanSupplier condition, String what) {
        try {
            page.waitForCondition(condition, new Page.WaitForConditionOptions().setTimeout(WAIT_MS));
        } catch (RuntimeException e) {
            throw new AssertionError("timed out waiting for " + what, e);
        }
    }
}

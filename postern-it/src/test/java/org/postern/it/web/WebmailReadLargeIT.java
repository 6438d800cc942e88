// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.store.Account;
import org.postern.store.BlobStore;
import org.postern.store.Intake;
import org.postern.store.Mailbox;
import org.postern.store.MailStore;
import org.postern.testkit.TestServer;

/**
 * The message list scrolls a large folder while keeping the DOM small (virtual scrolling): only the
 * rows in view exist, the end of the folder is reachable, and its last message shows. The normal run
 * uses a folder of {@value #DEFAULT_COUNT}; {@code -Dwebmail.large.count=100000} makes it the browser
 * benchmark of issue 7 (it prints first paint, scroll-to-end and open times).
 */
class WebmailReadLargeIT {
    static final int DEFAULT_COUNT = 600;
    /** The list must never hold more rows than a screenful plus overscan, whatever the folder size. */
    static final int MAX_ROWS = 60;

    @Test
    void largeFolderScrollsWithFewRows() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        int count = Integer.getInteger("webmail.large.count", DEFAULT_COUNT);
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            Account acc = server.createUser("big@example.test", "big-folder-pw");
            load(server.store(), acc, count);
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
            Page page = b.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setViewportSize(1280, 900)).newPage();
            page.setDefaultTimeout(30_000);

            long t0 = System.nanoTime();
            Browser.login(page, base, "big@example.test", "big-folder-pw");
            Locator firstRow = page.locator("[data-testid=message-row][data-id]").first();
            firstRow.waitFor();
            double firstPaintMs = (System.nanoTime() - t0) / 1e6;
            assertThat(page.locator("[data-testid=list-status]").textContent()).contains(String.format("%,d", count));
            // Newest first: the last loaded is on top.
            assertThat(firstRow.locator("[data-testid=row-subject]").textContent()).isEqualTo("Large " + (count - 1));

            long t1 = System.nanoTime();
            page.evaluate("() => { const v = document.querySelector('[data-testid=message-list]'); v.scrollTop = v.scrollHeight; }");
            Locator oldest = page.locator("[data-testid=message-row]").filter(new Locator.FilterOptions()
                    .setHas(page.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText("Large 0"))));
            page.waitForCondition(() -> oldest.count() > 0 && "Large 0".equals(oldest.first()
                    .locator("[data-testid=row-subject]").textContent()), new Page.WaitForConditionOptions().setTimeout(30_000));
            double scrollEndMs = (System.nanoTime() - t1) / 1e6;
            assertThat(page.locator("[data-testid=message-row]").count()).isBetween(1, MAX_ROWS);

            // A fling through the middle: rows stay few, and frames keep coming.
            Object frames = page.evaluate("""
                    async () => {
                      const v = document.querySelector('[data-testid=message-list]');
                      let frames = 0, worst = 0, last = performance.now();
                      for (let i = 0; i < 60; i++) {
                        v.scrollTop = v.scrollHeight * (i / 60);
                        await new Promise(r => requestAnimationFrame(r));
                        const now = performance.now();
                        worst = Math.max(worst, now - last);
                        last = now;
                        frames++;
                      }
                      return [frames, Math.round(worst), document.querySelectorAll('[data-testid=message-row]').length];
                    }""");
            List<?> f = (List<?>) frames;
            assertThat(((Number) f.get(2)).intValue()).isBetween(1, MAX_ROWS);

            page.evaluate("() => { const v = document.querySelector('[data-testid=message-list]'); v.scrollTop = v.scrollHeight; }");
            page.waitForCondition(() -> oldest.count() > 0 && oldest.first().getAttribute("data-id") != null,
                    new Page.WaitForConditionOptions().setTimeout(30_000));
            long t2 = System.nanoTime();
            oldest.first().click();
            page.locator("[data-testid=message-subject]").filter(new Locator.FilterOptions().setHasText("Large 0")).waitFor();
            double openMs = (System.nanoTime() - t2) / 1e6;
            System.out.printf("{\"bench\":\"webmail-large\",\"messages\":%d,\"first_paint_ms\":%.0f,\"scroll_end_ms\":%.0f,"
                    + "\"fling_worst_frame_ms\":%s,\"open_ms\":%.0f}%n", count, firstPaintMs, scrollEndMs, f.get(1), openMs);
            assertThat(b.errors()).isEmpty();
        }
    }

    /** Messages straight into the store (far faster than SMTP), oldest first, one minute apart. */
    static void load(MailStore store, Account acc, int count) throws Exception {
        Mailbox inbox = store.mailboxes().find(acc.id(), Mailbox.INBOX).orElseThrow();
        Instant epoch = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < count; i++) {
            byte[] m = ("From: Sender " + (i % 97) + " <s" + (i % 97) + "@far.test>\r\nTo: big@example.test\r\nSubject: Large " + i
                    + "\r\nMessage-ID: <large-" + i + "@far.test>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nBody " + i + "\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            String id;
            try (BlobStore.BlobWriter w = store.blobs().create()) {
                OutputStream out = w.stream();
                out.write(m);
                id = w.commit();
            }
            store.deliver(new Intake(id, m.length, epoch.plusSeconds(60L * i),
                    List.of(new Intake.Target(acc.id(), inbox.id(), i % 4 == 3 ? Set.of() : Set.of("\\Seen"))), null));
        }
    }
}

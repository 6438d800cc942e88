// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitForSelectorState;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * Auto-advance, as Gmail and Fastmail users expect it: after Move, Archive, Delete or Junk of the
 * open message the reader shows the next message of the list (the one below; the one above when it
 * was the last), not the bare list; with nothing left, the list.
 *
 * <p>data-testid used: message-row, row-subject, message-subject, action-move, reader-archive,
 * reader-delete, reader-junk, reader-empty, folder-create, dialog-input, dialog-ok.
 */
class WebmailAutoAdvanceIT {
    private static final String USER = "ada@example.test";

    @Test
    void moveArchiveDeleteAndJunkOpenTheNextMessage() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(); Browser b = Browser.start()) {
            server.createUser(USER, "ada-password");
            // Delivered oldest first: the list (newest first) reads M5, M4, M3, M2, M1 from the top.
            for (int i = 1; i <= 5; i++) {
                WebmailScreens.deliverText(server, USER, "M" + i, "Message number " + i);
                Thread.sleep(1100); // distinct receivedAt seconds keep the order certain
            }
            String base = "https://localhost:" + server.server().port(Service.HTTPS.key());
            Page page = b.newPage();
            page.setDefaultTimeout(WebmailScreens.WAIT_MS);
            Browser.login(page, base, USER, "ada-password");
            page.waitForCondition(() -> page.locator("[data-testid=message-row][data-id]").count() == 5,
                    new Page.WaitForConditionOptions().setTimeout(WebmailScreens.WAIT_MS));

            page.click("[data-testid=folder-create]");
            page.fill("[data-testid=dialog-input]", "Receipts");
            page.click("[data-testid=dialog-ok]");
            page.locator("[data-testid=folder][data-name=Receipts]").waitFor();

            // Move (the toolbar's folder menu) of M3 in the middle: M2, the one below, opens.
            row(page, "M3").click();
            reading(page, "M3");
            page.locator("[data-testid=action-move]").selectOption(new SelectOption().setLabel("Receipts"));
            reading(page, "M2");
            gone(page, "M3");

            // Archive M2: M1 below.
            page.click("[data-testid=reader-archive]");
            reading(page, "M1");
            gone(page, "M2");

            // Delete M1, the last one: the one above, M4.
            page.click("[data-testid=reader-delete]");
            reading(page, "M4");
            gone(page, "M1");

            // Junk M4 (now last): M5 above.
            page.click("[data-testid=reader-junk]");
            reading(page, "M5");
            gone(page, "M4");

            // Nothing is left after M5: the list, empty reader.
            page.click("[data-testid=reader-delete]");
            gone(page, "M5");
            page.locator("[data-testid=reader-empty]").waitFor();

            // Each went where it was sent.
            for (String[] w : new String[][] {{"Receipts", "M3"}, {"Archive", "M2"}, {"Trash", "M1"}, {"Junk", "M4"}, {"Trash", "M5"}}) {
                page.click("[data-testid=folder][data-name=" + w[0] + "]");
                page.locator("[data-testid=list-title]:has-text('" + w[0] + "')").waitFor();
                row(page, w[1]).waitFor();
            }
            assertThat(b.errors()).isEmpty();
        }
    }

    private static Locator row(Page page, String subject) {
        return page.locator("[data-testid=message-row]").filter(new Locator.FilterOptions()
                .setHas(page.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText(subject))));
    }

    /** The reader shows this message (by its subject). */
    private static void reading(Page page, String subject) {
        page.waitForCondition(() -> {
            Locator s = page.locator("[data-testid=message-subject]");
            return s.count() == 1 && subject.equals(s.textContent());
        }, new Page.WaitForConditionOptions().setTimeout(WebmailScreens.WAIT_MS));
    }

    private static void gone(Page page, String subject) {
        row(page, subject).waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.it.web.Browser;
import org.postern.testkit.TestServer;

/**
 * The admin page in Chromium under the page CSP: an admin sees a section per port with its findings
 * and the certificate; a user who is no admin is told so; no console or CSP errors either way.
 */
class AdminPageBrowserIT {

    @Test
    void adminSeesTheReportAndOthersAreToldWhy() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        try (TestServer server = TestServer.start(s -> s.withAdmins(List.of("carol@example.test")));
                Browser browser = Browser.start()) {
            server.createUser("carol@example.test", "carol-password");
            server.createUser("bob@example.test", "bob-password");
            String base = "https://localhost:" + server.port(Service.HTTPS);

            Page bob = browser.newPage();
            Browser.login(bob, base, "bob@example.test", "bob-password");
            bob.navigate(base + "/admin/");
            assertThat(bob.locator("[data-testid=admin-status]").textContent()).isNotEmpty();
            bob.waitForFunction("() => document.querySelector('[data-testid=admin-status]').textContent.includes('not an admin')");
            assertThat(bob.locator("[data-testid=admin-section]").count()).isZero();
            // Chromium logs the expected 403 of the API as a console error; nothing else may appear.
            assertThat(browser.errors()).allSatisfy(e -> assertThat(e).contains("status of 403"));
            browser.clearRecords();

            Page carol = browser.newPage();
            Browser.login(carol, base, "carol@example.test", "carol-password");
            carol.navigate(base + "/admin/");
            carol.locator("[data-testid=admin-section]").first().waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            List<String> titles = carol.locator("[data-testid=admin-section] h2").allTextContents();
            assertThat(titles).anySatisfy(t -> assertThat(t).startsWith("imaps (port " + server.port(Service.IMAPS)));
            assertThat(carol.locator("[data-testid=admin-certificate]").textContent()).contains("Valid until");
            assertThat(carol.locator("[data-testid=admin-finding][data-level=problem]").count()).isZero();
            assertThat(carol.locator("[data-testid=admin-summary]").textContent()).contains("self-signed");

            assertThat(browser.errors()).as("console errors and CSP violations").isEmpty();
            assertThat(browser.foreignRequests()).isEmpty();
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitForSelectorState;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * Settings that change what the server does, in Chromium and then seen from outside the browser: the
 * POP3 keep/delete choice as a real POP3 client meets it (RFC 1939; RFC 2449 §6.7 EXPIRE), and an
 * identity added then removed as compose offers it, and as the recipient sees the From it sent.
 *
 * <p>data-testid used (js/settings): pop3-keep, pop3-delete, pop3-save, pop3-status (data-state),
 * identity (data-email), identity-new-email, identity-new-name, identity-add, identity-new-status,
 * identity-delete, dialog-ok; (js/compose) compose, compose-from, compose-to, compose-subject,
 * compose-body, compose-send, compose-discard.
 */
class WebmailSettingsEffectIT {
    private static TestServer server;
    private static Browser browser;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        server = TestServer.start();
        base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void pop3KeepLeavesDownloadedMailAndDeleteRemovesItAsAPop3ClientSees() throws Exception {
        String user = "paula@example.test";
        server.createUser(user, "paula-password");
        WebmailScreens.deliverText(server, user, "First", "one");
        awaitPop3Count(user, "paula-password", 1);
        Page page = browser.newPage();
        page.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(page, base, user, "paula-password");
        page.navigate(base + "/#/settings/account");
        page.locator("[data-testid=pop3-keep]").waitFor();
        assertThat(page.isChecked("[data-testid=pop3-keep]")).as("keep is the default").isTrue();

        page.check("[data-testid=pop3-keep]");
        page.click("[data-testid=pop3-save]");
        page.locator("[data-testid=pop3-status][data-state=ok]").waitFor();
        assertThat(pop3DownloadAll(user, "paula-password")).as("downloaded with keep").isEqualTo(1);
        assertThat(pop3DownloadAll(user, "paula-password")).as("still there after a keep download").isEqualTo(1);

        page.check("[data-testid=pop3-delete]");
        page.click("[data-testid=pop3-save]");
        page.locator("[data-testid=pop3-status][data-state=ok]").waitFor();
        page.reload();
        page.locator("[data-testid=pop3-delete]").waitFor();
        assertThat(page.isChecked("[data-testid=pop3-delete]")).as("the saved choice comes back").isTrue();
        try (RawClient c = pop3(user, "paula-password")) {
            c.send("CAPA");
            assertThat(c.readUntil("^\\.$")).as("RFC 2449 §6.7 EXPIRE 0 announces deletion").contains("EXPIRE 0");
            c.send("QUIT");
            c.expect("+OK");
        }
        assertThat(pop3DownloadAll(user, "paula-password")).as("downloaded with delete").isEqualTo(1);
        assertThat(pop3DownloadAll(user, "paula-password")).as("gone after a delete download, though the client sent no DELE").isZero();

        // Back to keep: new mail survives downloads again.
        page.check("[data-testid=pop3-keep]");
        page.click("[data-testid=pop3-save]");
        page.locator("[data-testid=pop3-status][data-state=ok]").waitFor();
        WebmailScreens.deliverText(server, user, "Second", "two");
        awaitPop3Count(user, "paula-password", 1);
        assertThat(pop3DownloadAll(user, "paula-password")).isEqualTo(1);
        assertThat(pop3DownloadAll(user, "paula-password")).isEqualTo(1);
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void anAddedIdentityIsOfferedAndSendsAndARemovedOneIsNoLongerOffered() throws Exception {
        server.createUser("dora@example.test", "dora-password");
        server.createUser("erin@example.test", "erin-password");
        server.store().directory().addAlias("sales@example.test", List.of("dora@example.test"));
        Page page = browser.newPage();
        page.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(page, base, "dora@example.test", "dora-password");
        page.navigate(base + "/#/settings/identities");
        page.locator("[data-testid=identity-new-email]").waitFor();
        page.fill("[data-testid=identity-new-email]", "sales@example.test");
        page.fill("[data-testid=identity-new-name]", "Dora at Sales");
        page.click("[data-testid=identity-add]");
        page.locator("[data-testid=identity-new-status][data-state=ok]").waitFor();
        Locator sales = page.locator("[data-testid=identity][data-email='sales@example.test']");
        sales.waitFor();

        // A stranger's address is refused by the server, and the form says so.
        page.fill("[data-testid=identity-new-email]", "ceo@elsewhere.test");
        page.click("[data-testid=identity-add]");
        page.locator("[data-testid=identity-new-status][data-state=error]").waitFor();
        assertThat(page.locator("[data-testid=identity][data-email='ceo@elsewhere.test']").count()).isZero();

        String subject = "from sales " + UUID.randomUUID();
        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        assertThat(options(page)).contains("Dora at Sales <sales@example.test>");
        page.locator("[data-testid=compose-from]").selectOption(new SelectOption().setLabel("Dora at Sales <sales@example.test>"));
        page.fill("[data-testid=compose-to]", "erin@example.test");
        page.fill("[data-testid=compose-subject]", subject);
        page.click("[data-testid=compose-body]");
        page.keyboard().type("Our offer is attached in spirit.");
        page.click("[data-testid=compose-send]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));
        Message got = WebmailComposeIT.await(server, "erin", "erin-password", "INBOX", m -> {
            try {
                return subject.equals(m.getSubject());
            } catch (Exception e) {
                return false;
            }
        });
        InternetAddress from = (InternetAddress) got.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("sales@example.test");
        assertThat(from.getPersonal()).isEqualTo("Dora at Sales");

        page.navigate(base + "/#/settings/identities");
        sales.waitFor();
        sales.locator("[data-testid=identity-delete]").click();
        page.click("[data-testid=dialog-ok]");
        sales.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        assertThat(page.locator("[data-testid=identity][data-email='dora@example.test']").count()).as("the default stays").isEqualTo(1);

        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        assertThat(options(page)).noneMatch(o -> o.contains("sales@example.test")).anyMatch(o -> o.contains("dora@example.test"));
        page.click("[data-testid=compose-discard]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        assertThat(browser.errors()).isEmpty();
        assertThat(browser.foreignRequests()).isEmpty();
    }

    private static List<String> options(Page page) {
        return page.locator("[data-testid=compose-from] option").allTextContents();
    }

    private static RawClient pop3(String user, String password) throws IOException {
        RawClient c = RawClient.connect(server.host(), server.pop3sPort(), server.sslContext());
        c.expect("+OK");
        c.send("USER " + user);
        c.expect("+OK");
        c.send("PASS " + password);
        c.expect("+OK");
        return c;
    }

    /** A download-everything client without DELE (the account's setting decides): RETRs all, QUITs, returns the count. */
    private static int pop3DownloadAll(String user, String password) throws IOException {
        try (RawClient c = pop3(user, password)) {
            c.send("STAT");
            int n = Integer.parseInt(c.expect("+OK").split(" ")[1]);
            for (int i = 1; i <= n; i++) {
                c.send("RETR " + i);
                c.expect("+OK");
                c.readUntil("^\\.$");
            }
            c.send("QUIT");
            c.expect("+OK");
            return n;
        }
    }

    private static void awaitPop3Count(String user, String password, int n) throws Exception {
        long end = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try (RawClient c = pop3(user, password)) {
                c.send("STAT");
                int got = Integer.parseInt(c.expect("+OK").split(" ")[1]);
                c.send("QUIT");
                c.expect("+OK");
                if (got == n) return;
            }
            if (System.nanoTime() > end) throw new AssertionError("POP3 never showed " + n + " messages");
            Thread.sleep(100);
        }
    }
}

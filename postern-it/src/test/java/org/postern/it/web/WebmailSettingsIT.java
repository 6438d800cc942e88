// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * The webmail's settings pages (issue 7) in real Chromium: the password change takes effect on
 * IMAP, the vacation responder answers, and "Set up your mail app" shows the ports this server
 * really listens on (the test server's ephemeral ones, not 993/587) and a QR code that loads.
 *
 * <p>data-testid used (js/settings): settings, settings-content, settings-nav-vacation, password-current, password-new,
 * password-repeat, password-save, password-status (data-state ok|error), vacation-enabled,
 * vacation-subject, vacation-text, vacation-save, vacation-status, setup-port (data-name, data-port,
 * data-open), setup-username, setup-qr, setup-check-status, identity-name, identity-signature, identity-save,
 * identity-status; from js/compose: compose, compose-body, compose-from.
 */
class WebmailSettingsIT {
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
    void passwordChangeRefusesAWrongCurrentPasswordThenTakesEffectOnImap() throws Exception {
        server.createUser("carol@example.test", "carol-old-password");
        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "carol@example.test", "carol-old-password");
        page.navigate(base + "/#/settings/account");
        page.locator("[data-testid=password-current]").waitFor();

        page.fill("[data-testid=password-current]", "not-the-password");
        page.fill("[data-testid=password-new]", "carol-new-password");
        page.fill("[data-testid=password-repeat]", "carol-new-password");
        page.click("[data-testid=password-save]");
        page.locator("[data-testid=password-status][data-state=error]").waitFor();
        imapLogin("carol@example.test", "carol-old-password"); // unchanged

        page.fill("[data-testid=password-current]", "carol-old-password");
        page.fill("[data-testid=password-new]", "carol-new-password");
        page.fill("[data-testid=password-repeat]", "carol-new-password");
        page.click("[data-testid=password-save]");
        page.locator("[data-testid=password-status][data-state=ok]").waitFor();

        assertThatThrownBy(() -> imapLogin("carol@example.test", "carol-old-password")).isInstanceOf(AuthenticationFailedException.class);
        imapLogin("carol@example.test", "carol-new-password");
        // The browser session that made the change stays valid, JMAP calls included (a renewed CSRF token).
        assertThat(page.request().get(base + "/.well-known/jmap").status()).isEqualTo(200);
        page.click("[data-testid=settings-nav-vacation]");
        page.locator("[data-testid=vacation-enabled]").waitFor();
        assertThat(browser.foreignRequests()).isEmpty();
    }

    @Test
    void vacationResponderAnswersASender() throws Exception {
        server.createUser("dave@example.test", "dave-password");
        server.createUser("erin@example.test", "erin-password");
        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "dave@example.test", "dave-password");
        page.navigate(base + "/#/settings/vacation");
        page.locator("[data-testid=vacation-enabled]").waitFor();
        page.check("[data-testid=vacation-enabled]");
        page.fill("[data-testid=vacation-subject]", "Away this week");
        page.fill("[data-testid=vacation-text]", "I am away until Monday.");
        page.click("[data-testid=vacation-save]");
        page.locator("[data-testid=vacation-status][data-state=ok]").waitFor();

        // The saved values come back when the page is opened again.
        page.reload();
        page.locator("[data-testid=vacation-enabled]").waitFor();
        assertThat(page.isChecked("[data-testid=vacation-enabled]")).isTrue();
        assertThat(page.inputValue("[data-testid=vacation-text]")).isEqualTo("I am away until Monday.");

        MimeMessage m = new MimeMessage(session());
        m.setFrom(new InternetAddress("erin@example.test"));
        m.setRecipients(Message.RecipientType.TO, "dave@example.test");
        m.setSubject("lunch? " + UUID.randomUUID());
        m.setText("Lunch on Friday?\n", "UTF-8");
        m.saveChanges();
        Transport t = session().getTransport("smtps");
        t.connect("erin@example.test", "erin-password");
        try {
            t.sendMessage(m, m.getAllRecipients());
        } finally {
            t.close();
        }
        Message reply = WebmailComposeIT.await(server, "erin", "erin-password", "INBOX", x -> {
            try {
                return "Away this week".equals(x.getSubject());
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(reply.getHeader("Auto-Submitted")[0]).startsWith("auto-replied");
        assertThat(((InternetAddress) reply.getFrom()[0]).getAddress()).isEqualTo("dave@example.test");
        assertThat(browser.foreignRequests()).isEmpty();
    }

    @Test
    void setupPageShowsTheRealPortsAndTheQrCodeLoads() {
        server.createUser("fred@example.test", "fred-password");
        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "fred@example.test", "fred-password");
        page.navigate(base + "/#/settings/setup");
        page.locator("[data-testid=setup-check-status]:has-text('checked just now')").waitFor();
        assertThat(page.textContent("[data-testid=setup-username]")).isEqualTo("fred@example.test");

        Locator rows = page.locator("[data-testid=setup-port]");
        List<String> shown = rows.evaluateAll("rows => rows.map(r => r.dataset.name + ':' + r.dataset.port + ':' + r.dataset.open)")
                instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        assertThat(shown).contains(
                "imaps:" + server.imapsPort() + ":true",
                "imap:" + server.imapPort() + ":true",
                "pop3s:" + server.pop3sPort() + ":true",
                "pop3:" + server.pop3Port() + ":true",
                "submissions:" + server.submissionsPort() + ":true",
                "submission:" + server.submissionPort() + ":true");
        // Ephemeral test ports: nothing on the page may be the hard-coded standard numbers.
        assertThat(shown).noneMatch(s -> s.contains(":993:") || s.contains(":587:"));

        Locator qr = page.locator("[data-testid=setup-qr]");
        qr.waitFor();
        page.waitForFunction("() => { const i = document.querySelector('[data-testid=setup-qr]'); return i && i.complete && i.naturalWidth > 0; }");
        page.screenshot(new Page.ScreenshotOptions().setPath(WebmailComposeIT.shot("settings-setup-desktop.png")).setFullPage(true));
        assertThat(browser.foreignRequests()).isEmpty();
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void signatureSetInSettingsIsUsedByCompose() {
        server.createUser("gina@example.test", "gina-password");
        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "gina@example.test", "gina-password");
        page.navigate(base + "/#/settings/identities");
        page.locator("[data-testid=identity-signature]").waitFor();
        page.fill("[data-testid=identity-name]", "Gina G");
        page.click("[data-testid=identity-signature]");
        page.keyboard().type("Gina, Postern team");
        page.click("[data-testid=identity-save]");
        page.locator("[data-testid=identity-status][data-state=ok]").waitFor();

        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        page.locator("[data-testid=compose-body] .signature:has-text('Gina, Postern team')").waitFor();
        assertThat(page.textContent("[data-testid=compose-from] option")).isEqualTo("Gina G <gina@example.test>");
        assertThat(browser.errors()).isEmpty();
    }

    private static Session session() {
        Properties p = new Properties();
        var factory = server.sslContext().getSocketFactory();
        p.put("mail.smtps.host", "127.0.0.1");
        p.put("mail.smtps.port", String.valueOf(server.submissionsPort()));
        p.put("mail.smtps.auth", "true");
        p.put("mail.smtps.ssl.socketFactory", factory);
        p.put("mail.imaps.host", "127.0.0.1");
        p.put("mail.imaps.port", String.valueOf(server.imapsPort()));
        p.put("mail.imaps.ssl.socketFactory", factory);
        for (String proto : new String[] {"smtps", "imaps"}) {
            p.put("mail." + proto + ".connectiontimeout", "10000");
            p.put("mail." + proto + ".timeout", "10000");
        }
        return Session.getInstance(p);
    }

    private static void imapLogin(String user, String password) throws Exception {
        Store store = session().getStore("imaps");
        store.connect(user, password);
        store.close();
    }
}

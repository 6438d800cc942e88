// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import com.google.gson.JsonObject;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * Parts of writing mail that no other test drives, in Chromium against the whole server: the
 * plain-text editor (what arrives is text/plain only, no HTML alternative), an attachment dropped
 * onto the compose window (a drop event carrying a File, as the OS gives one) with its upload
 * progress shown, and a message sent from another account's webmail arriving in an open Inbox by
 * push (RFC 8620 §7.3 event source), without a reload.
 *
 * <p>data-testid used: compose, compose-to, compose-subject, compose-body, compose-body-text,
 * editor-mode, compose-attachment (data-state uploading|done), compose-send; message-row, row-subject.
 */
class WebmailComposeModesIT {
    private static TestServer server;
    private static Browser browser;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Browser.available(), "no /usr/bin/chromium");
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-password");
        server.createUser("bob@example.test", "bob-password");
        base = "https://localhost:" + server.server().port(Service.HTTPS.key());
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void plainTextModeSendsTextPlainOnly() throws Exception {
        String subject = "plain " + UUID.randomUUID();
        Page page = browser.newPage();
        page.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(page, base, "alice@example.test", "alice-password");
        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        if (page.locator("[data-testid=compose-body-text]").isHidden()) page.click("[data-testid=editor-mode]");
        page.locator("[data-testid=compose-body-text]").waitFor();
        assertThat(page.locator("[data-testid=compose-body]").isVisible()).as("the rich editor is gone").isFalse();
        page.fill("[data-testid=compose-to]", "bob@example.test");
        page.fill("[data-testid=compose-subject]", subject);
        page.fill("[data-testid=compose-body-text]", "Line one with *stars* and <b>not bold</b>\nLine two");
        page.click("[data-testid=compose-send]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));

        Message got = WebmailComposeIT.await(server, "bob", "bob-password", "INBOX", m -> subjectIs(m, subject));
        assertThat(got.isMimeType("text/plain")).as("a single text/plain body, got " + got.getContentType()).isTrue();
        String text = ((String) got.getContent()).replace("\r\n", "\n");
        assertThat(text).contains("Line one with *stars* and <b>not bold</b>\nLine two");
        // The mode is remembered: the next message starts in plain text too; then back to rich for others.
        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        page.locator("[data-testid=compose-body-text]").waitFor();
        page.click("[data-testid=editor-mode]");
        page.locator("[data-testid=compose-body]").waitFor();
        page.click("[data-testid=compose-discard]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void aFileDroppedOnComposeUploadsWithProgressAndArrivesAttached() throws Exception {
        String subject = "dropped " + UUID.randomUUID();
        BrowserContext ctx = browser.newContext();
        Page page = ctx.newPage();
        page.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(page, base, "alice@example.test", "alice-password");
        page.click("[data-testid=compose-button]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        page.fill("[data-testid=compose-to]", "bob@example.test");
        page.fill("[data-testid=compose-subject]", subject);

        // Slow uploads down (DevTools network emulation), so progress has time to show between 0 and 100.
        CDPSession cdp = ctx.newCDPSession(page);
        cdp.send("Network.enable");
        JsonObject slow = new JsonObject();
        slow.addProperty("offline", false);
        slow.addProperty("latency", 20);
        slow.addProperty("downloadThroughput", -1);
        slow.addProperty("uploadThroughput", 1_500_000);
        cdp.send("Network.emulateNetworkConditions", slow);

        // Record every progress value and attachment state the page shows while it uploads.
        page.evaluate("""
                () => {
                  window.__seen = [];
                  const note = (el) => {
                    if (el.matches && el.matches('[data-testid=compose-attachment]')) window.__seen.push('state:' + el.dataset.state);
                    if (el.tagName === 'PROGRESS') window.__seen.push('progress:' + el.value);
                  };
                  new MutationObserver((list) => list.forEach((m) => {
                    note(m.target);
                    m.addedNodes.forEach((n) => n.nodeType === 1 && [n, ...n.querySelectorAll('*')].forEach(note));
                  })).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'data-state']});
                  const tick = () => {
                    const p = document.querySelector('[data-testid=compose-attachment] progress');
                    if (p && !p.hidden) window.__seen.push('progress:' + p.value);
                    if (!document.querySelector('[data-testid=compose-attachment][data-state=done]')) requestAnimationFrame(tick);
                  };
                  requestAnimationFrame(tick);
                }""");
        // A drop as the browser delivers one from the desktop: dragenter, dragover (accepted), drop.
        page.evaluate("""
                () => {
                  const bytes = new Uint8Array(3 * 1024 * 1024);
                  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
                  const dt = new DataTransfer();
                  dt.items.add(new File([bytes], 'survey-data.bin', {type: 'application/octet-stream'}));
                  const target = document.querySelector('[data-testid=compose-subject]');
                  for (const type of ['dragenter', 'dragover', 'drop']) {
                    const ev = new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true});
                    target.dispatchEvent(ev);
                    if (type === 'dragover' && !ev.defaultPrevented) throw new Error('compose did not accept the drag');
                  }
                }""");
        Locator att = page.locator("[data-testid=compose-attachment]");
        att.waitFor();
        assertThat(att.textContent()).contains("survey-data.bin");
        page.locator("[data-testid=compose-attachment][data-state=done]").waitFor(new Locator.WaitForOptions().setTimeout(30_000));
        cdp.send("Network.emulateNetworkConditions", noLimits());
        @SuppressWarnings("unchecked")
        List<String> seen = new ArrayList<>((List<String>) page.evaluate("() => window.__seen"));
        assertThat(seen).as("states and progress shown").contains("state:uploading");
        List<Integer> values = seen.stream().filter(s -> s.startsWith("progress:")).map(s -> (int) Double.parseDouble(s.substring(9))).toList();
        assertThat(values).as("progress between 0 and 100: " + seen).anyMatch(v -> v > 0 && v < 100);
        assertThat(values).as("progress only grows").isSorted();

        page.click("[data-testid=compose-send]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(20_000));
        Message got = WebmailComposeIT.await(server, "bob", "bob-password", "INBOX", m -> subjectIs(m, subject));
        byte[] expected = new byte[3 * 1024 * 1024];
        for (int i = 0; i < expected.length; i++) expected[i] = (byte) ((i * 31 + 7) & 0xff);
        Multipart mp = (Multipart) got.getContent();
        byte[] attached = null;
        for (int i = 0; i < mp.getCount(); i++) {
            BodyPart p = mp.getBodyPart(i);
            if ("survey-data.bin".equals(p.getFileName())) attached = p.getInputStream().readAllBytes();
        }
        assertThat(attached).as("the dropped file, byte for byte").isEqualTo(expected);
        ctx.close();
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void aMessageSentFromAnotherAccountsWebmailAppearsByPush() throws Exception {
        String subject = "pushed " + UUID.randomUUID();
        Page alice = browser.newPage();
        alice.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(alice, base, "alice@example.test", "alice-password");
        alice.locator("[data-testid=folder][data-role=inbox]").waitFor();
        alice.locator("[data-testid=list-title]:has-text('Inbox')").waitFor();
        Object marker = alice.evaluate("() => (window.__postern_marker = Math.random())");
        int before = alice.locator("[data-testid=message-row][data-id]").count();

        Page bob = browser.newPage();
        bob.setDefaultTimeout(WebmailScreens.WAIT_MS);
        Browser.login(bob, base, "bob@example.test", "bob-password");
        bob.click("[data-testid=compose-button]");
        bob.locator("[data-testid=compose][data-state=ready]").waitFor();
        bob.fill("[data-testid=compose-to]", "alice@example.test");
        bob.fill("[data-testid=compose-subject]", subject);
        bob.click("[data-testid=compose-body]");
        bob.keyboard().type("Sent from the other side.");
        bob.click("[data-testid=compose-send]");
        bob.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));

        Locator row = alice.locator("[data-testid=message-row]").filter(new Locator.FilterOptions()
                .setHas(alice.locator("[data-testid=row-subject]", new Page.LocatorOptions().setHasText(subject))));
        row.waitFor(new Locator.WaitForOptions().setTimeout(20_000));
        assertThat(row.getAttribute("data-unread")).isEqualTo("true");
        assertThat(alice.locator("[data-testid=message-row][data-id]").count()).isEqualTo(before + 1);
        assertThat(alice.evaluate("() => window.__postern_marker")).as("no reload happened").isEqualTo(marker);
        row.click();
        alice.frameLocator("iframe[data-testid=message-body]").locator("body:has-text('Sent from the other side.')").waitFor();
        assertThat(browser.errors()).isEmpty();
        assertThat(browser.foreignRequests()).isEmpty();
    }

    private static JsonObject noLimits() {
        JsonObject o = new JsonObject();
        o.addProperty("offline", false);
        o.addProperty("latency", 0);
        o.addProperty("downloadThroughput", -1);
        o.addProperty("uploadThroughput", -1);
        return o;
    }

    private static boolean subjectIs(Message m, String subject) {
        try {
            return subject.equals(m.getSubject());
        } catch (Exception e) {
            return false;
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.it.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.WaitForSelectorState;
import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.server.config.Service;
import org.postern.testkit.TestServer;

/**
 * Writing mail in the webmail (issue 7), in real Chromium against the whole server; what arrives is
 * checked over IMAP with Jakarta Mail.
 *
 * <p>data-testid used (js/compose; "compose-button" is the mail view's):
 * compose (data-state loading|ready), compose-to, compose-cc, compose-subject, compose-body, compose-file, compose-attachment
 * (data-state uploading|done|error), compose-status, compose-send, compose-discard, suggestion (autocomplete option).
 */
class WebmailComposeIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
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
    void composeWithAttachmentSavesADraftSendsAndFilesTheCopyInSent() throws Exception {
        String subject = "webmail " + UUID.randomUUID();
        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "alice@example.test", "alice-password");
        page.click("[data-testid=compose-button]");
        page.onConsoleMessage(m -> System.out.println("CONSOLE " + m.type() + " " + m.location() + " " + m.text()));
        Locator compose = page.locator("[data-testid=compose]");
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        page.fill("[data-testid=compose-to]", "Bob <bob@example.test>");
        page.fill("[data-testid=compose-subject]", subject);
        page.click("[data-testid=compose-body]");
        page.keyboard().type("Hello Bob, the notes are attached.");
        // A hostile paste: only the allowed structure survives, rebuilt (no img, no script, no handler).
        page.evaluate("""
                () => {
                  const dt = new DataTransfer();
                  dt.setData('text/html', '<p>pasted <b>bold</b><img src="https://tracker.invalid/p.gif" onerror="alert(1)">'
                    + '<script>alert(2)</script><a href="javascript:alert(3)">bad link</a></p>');
                  dt.setData('text/plain', 'pasted bold');
                  document.querySelector('[data-testid=compose-body]')
                    .dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
                }""");
        String editorHtml = (String) page.evaluate("() => document.querySelector('[data-testid=compose-body]').innerHTML");
        assertThat(editorHtml).contains("<strong>bold</strong>").doesNotContain("<img", "<script", "javascript:", "onerror");

        byte[] notes = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        page.setInputFiles("[data-testid=compose-file]", new FilePayload("notes.txt", "text/plain", notes));
        page.locator("[data-testid=compose-attachment][data-state=done]").waitFor();

        // The draft is saved by itself once typing stops, and it is in Drafts with \Draft.
        page.locator("[data-testid=compose-status]:has-text('Draft saved')").waitFor();
        Message draft = await(server, "alice", "alice-password", "Drafts", m -> subjectIs(m, subject));
        assertThat(draft.getFlags().contains(Flags.Flag.DRAFT)).isTrue();

        page.screenshot(new Page.ScreenshotOptions().setPath(shot("compose-desktop.png")));
        page.click("[data-testid=compose-send]");
        compose.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));

        Message arrived = await(server, "bob", "bob-password", "INBOX", m -> subjectIs(m, subject));
        assertThat(((InternetAddress) arrived.getFrom()[0]).getAddress()).isEqualTo("alice@example.test");
        assertThat(attachment(arrived, "notes.txt")).contains(notes);
        assertThat(text(arrived, "text/html")).contains("<strong>bold</strong>").doesNotContain("tracker.invalid");
        assertThat(text(arrived, "text/plain")).contains("Hello Bob, the notes are attached.");

        Message sent = await(server, "alice", "alice-password", "Sent", m -> subjectIs(m, subject));
        assertThat(sent.getFlags().contains(Flags.Flag.DRAFT)).isFalse();
        awaitAbsent(server, "alice", "alice-password", "Drafts", subject);

        assertThat(browser.foreignRequests()).isEmpty();
        assertThat(browser.dialogs()).isEmpty();
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void replySetsInReplyToAndQuotesAndForwardAsAttachmentCarriesTheMessage() throws Exception {
        String subject = "question " + UUID.randomUUID();
        String messageId = "<" + UUID.randomUUID() + "@example.test>";
        MimeMessage original = new MimeMessage(session(server));
        original.setFrom(new InternetAddress("bob@example.test", "Bob"));
        original.setRecipients(Message.RecipientType.TO, "alice@example.test");
        original.setSubject(subject);
        original.setText("Can you send me the figures?\nThanks\n", "UTF-8");
        original.saveChanges();
        original.setHeader("Message-ID", messageId);
        Transport t = session(server).getTransport("smtps");
        t.connect("bob@example.test", "bob-password");
        try {
            t.sendMessage(original, original.getAllRecipients());
        } finally {
            t.close();
        }
        await(server, "alice", "alice-password", "INBOX", m -> subjectIs(m, subject));

        browser.clearRecords();
        Page page = browser.newPage();
        Browser.login(page, base, "alice@example.test", "alice-password");
        String emailId = emailIdBySubject(page, subject);

        page.navigate(base + "/#/compose?reply=" + emailId);
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        assertThat(page.inputValue("[data-testid=compose-subject]")).isEqualTo("Re: " + subject);
        assertThat(page.inputValue("[data-testid=compose-to]")).contains("bob@example.test");
        page.locator("[data-testid=compose-body] blockquote:has-text('Can you send me the figures?')").waitFor();
        page.click("[data-testid=compose-body] p >> nth=0");
        page.keyboard().type("Here they are.");
        page.click("[data-testid=compose-send]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));

        Message reply = await(server, "bob", "bob-password", "INBOX", m -> subjectIs(m, "Re: " + subject));
        assertThat(reply.getHeader("In-Reply-To")).containsExactly(messageId);
        assertThat(reply.getHeader("References")[0]).contains(messageId);
        assertThat(text(reply, "text/plain")).contains("Here they are.").contains("> Can you send me the figures?");

        // Forward as attachment, with the recipient taken from autocomplete (bob is a past correspondent).
        page.navigate(base + "/#/compose?forwardAttachment=" + emailId);
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        page.locator("[data-testid=compose-attachment][data-state=done]").waitFor();
        page.click("[data-testid=compose-to]");
        page.keyboard().type("bo");
        page.locator("[data-testid=suggestion]:has-text('bob@example.test')").waitFor();
        page.keyboard().press("Enter");
        assertThat(page.inputValue("[data-testid=compose-to]")).contains("bob@example.test");
        page.click("[data-testid=compose-send]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED).setTimeout(15_000));
        Message forwarded = await(server, "bob", "bob-password", "INBOX", m -> subjectIs(m, "Fwd: " + subject));
        // Forward inline: the original's text under a "Forwarded message" header; discarding leaves no draft.
        page.navigate(base + "/#/compose?forward=" + emailId);
        page.locator("[data-testid=compose][data-state=ready]").waitFor();
        assertThat(page.inputValue("[data-testid=compose-subject]")).isEqualTo("Fwd: " + subject);
        page.locator("[data-testid=compose-body]:has-text('Forwarded message')").waitFor();
        page.locator("[data-testid=compose-body]:has-text('Can you send me the figures?')").waitFor();
        page.click("[data-testid=compose-discard]");
        page.locator("[data-testid=compose]").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));

        Part inner = find(forwarded, p -> {
            try {
                return p.isMimeType("message/rfc822");
            } catch (Exception e) {
                return false;
            }
        }).orElseThrow();
        assertThat(((MimeMessage) inner.getContent()).getSubject()).isEqualTo(subject);

        assertThat(browser.foreignRequests()).isEmpty();
        assertThat(browser.errors()).isEmpty();
    }

    /** The JMAP id of the newest email with this subject, asked by the logged-in page itself. */
    private static String emailIdBySubject(Page page, String subject) {
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
        assertThat(id).as("email id of " + subject).isInstanceOf(String.class);
        return (String) id;
    }

    /** Screenshots for review (issue 7), kept with the build output. */
    static Path shot(String name) {
        return Path.of("target", "screenshots", "webmail-" + name);
    }

    static Session session(TestServer server) {
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

    private static boolean subjectIs(Message m, String subject) {
        try {
            return subject.equals(m.getSubject());
        } catch (Exception e) {
            return false;
        }
    }

    /** Polls the folder over IMAPS until a message matches, or fails at the deadline. */
    static Message await(TestServer server, String user, String password, String folder, Predicate<Message> match) throws Exception {
        Instant end = Instant.now().plus(DEADLINE);
        while (true) {
            Optional<Message> m = search(server, user, password, folder, match);
            if (m.isPresent()) return m.get();
            if (Instant.now().isAfter(end)) throw new AssertionError("no matching message in " + user + "'s " + folder);
            Thread.sleep(200);
        }
    }

    private static void awaitAbsent(TestServer server, String user, String password, String folder, String subject) throws Exception {
        Instant end = Instant.now().plus(DEADLINE);
        while (search(server, user, password, folder, m -> subjectIs(m, subject)).isPresent()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("the draft is still in " + folder);
            Thread.sleep(200);
        }
    }

    /** A detached copy of the first matching message (the connection is closed before returning). */
    private static Optional<Message> search(TestServer server, String user, String password, String folder, Predicate<Message> match) throws Exception {
        Store store = session(server).getStore("imaps");
        store.connect(user + "@example.test", password);
        try {
            Folder f = store.getFolder(folder);
            f.open(Folder.READ_ONLY);
            try {
                for (Message m : f.getMessages()) {
                    if (!match.test(m)) continue;
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    m.writeTo(out);
                    MimeMessage copy = new MimeMessage(session(server), new java.io.ByteArrayInputStream(out.toByteArray()));
                    copy.setFlags(m.getFlags(), true);
                    return Optional.of(copy);
                }
                return Optional.empty();
            } finally {
                f.close(false);
            }
        } finally {
            store.close();
        }
    }

    private static Optional<Part> find(Part p, Predicate<Part> match) throws Exception {
        if (match.test(p)) return Optional.of(p);
        if (p.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) p.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart b = mp.getBodyPart(i);
                Optional<Part> hit = find(b, match);
                if (hit.isPresent()) return hit;
            }
        }
        return Optional.empty();
    }

    private static byte[] attachment(Message m, String name) throws Exception {
        Part p = find(m, x -> {
            try {
                return name.equals(x.getFileName());
            } catch (Exception e) {
                return false;
            }
        }).orElseThrow(() -> new AssertionError("no attachment " + name));
        return p.getInputStream().readAllBytes();
    }

    private static String text(Message m, String type) throws Exception {
        Part p = find(m, x -> {
            try {
                return x.isMimeType(type) && !Part.ATTACHMENT.equalsIgnoreCase(x.getDisposition());
            } catch (Exception e) {
                return false;
            }
        }).orElseThrow(() -> new AssertionError("no " + type + " part"));
        return (String) p.getContent();
    }
}

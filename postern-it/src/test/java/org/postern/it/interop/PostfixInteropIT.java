// SPDX-License-Identifier: Apache-2.0
package org.postern.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.server.config.OutboundConfig;
import org.postern.store.Account;
import org.postern.store.MailStore;
import org.postern.store.Mailbox;
import org.postern.store.MessageRecord;
import org.postern.testkit.TestServer;
import org.postern.testkit.dns.FakeDns;

/**
 * Two-way SMTP with Postfix, a real MTA nobody here wrote (issue 3, "Tested against real peers"):
 * Postfix delivers to Postern's port 25 through a transport map, and Postern's queue delivers to
 * Postfix through an MX that a fake DNS points at loopback; STARTTLS both ways. The submissions come
 * from swaks and from Python's smtplib, programs nobody here wrote either.
 */
class PostfixInteropIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String ALICE = "alice@" + TestServer.DOMAIN;
    private static final String ALICE_PW = "alice-interop-pw";
    private static final String BOB = "bob@" + PostfixInstance.DOMAIN;

    @TempDir
    Path dir;
    private FakeDns dns;
    private TestServer postern;
    private PostfixInstance postfix;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(PostfixInstance.command() != null,
                "postfix is not installed (Debian package postfix; ./run-tests installs it)");
        dns = FakeDns.start();
        dns.mx(PostfixInstance.DOMAIN, 10, PostfixInstance.HOSTNAME).a(PostfixInstance.HOSTNAME, "127.0.0.1");
        int postfixPort = PostfixInstance.freePort();
        postern = TestServer.start(s -> s.withOutbound(OutboundConfig.defaults().forTests("127.0.0.1:" + dns.port(), postfixPort)));
        postern.createUser(ALICE, ALICE_PW);
        postfix = PostfixInstance.start(dir, postfixPort, TestServer.DOMAIN, postern.smtpPort(), List.of("bob"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (postfix != null) postfix.close();
        } finally {
            if (postern != null) postern.close();
            if (dns != null) dns.close();
        }
    }

    @Test
    void swaksSubmissionToPosternIsDeliveredToPostfixOverStartTls() throws Exception {
        Path swaks = Program.find("swaks");
        assumeTrue(swaks != null, "swaks is not installed (Debian package swaks)");
        Program r = Program.run(List.of(swaks.toString(), "--server", "127.0.0.1", "--port",
                Integer.toString(postern.submissionPort()), "--helo", "client.example.test", "--tls",
                "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", ALICE_PW,
                "--from", ALICE, "--to", BOB, "--header", "Subject: swaks to postfix",
                "--body", "Hello Bob,\n.a line starting with a dot\nbye\n"), Map.of(), null, DEADLINE);
        assertThat(r.exit()).as(r.output()).isZero();

        String msg = postfix.awaitMessages("bob", 1).get(0);
        assertThat(msg).contains("Subject: swaks to postfix").contains("\n.a line starting with a dot");
        // Postfix's smtpd_tls_received_header: Postern's queue used STARTTLS (RFC 3207) to reach it.
        assertThat(receivedBy(msg, PostfixInstance.HOSTNAME)).containsPattern("\\(using TLSv1\\.[23] with cipher");
        assertThat(msg).contains("Return-Path: <" + ALICE + ">");
        await(() -> postern.store().queue().list().isEmpty(), "Postern's queue to drain");
        assertThat(dns.queries()).contains("MX " + PostfixInstance.DOMAIN);
    }

    @Test
    void smtplibSubmissionToPostfixIsDeliveredToPosternOverStartTls() throws Exception {
        Program r = python("""
                import smtplib, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m["From"] = "carol@remote.test"
                m["To"] = sys.argv[2]
                m["Subject"] = "postfix to postern"
                m["Message-ID"] = "<pf1@remote.test>"
                m.set_content("Hi Alice,\\n.dot line\\n")
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
                    s.ehlo("client.remote.test")
                    s.send_message(m)
                """, Integer.toString(postfix.port()), ALICE);
        assertThat(r.exit()).as(r.output()).isZero();

        String msg;
        try {
            msg = inbox(postern.store(), ALICE, 1).get(0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nPostfix queue:\n" + postfix.queue() + "\nlog:\n" + postfix.log(), e);
        }
        assertThat(msg).contains("Subject: postfix to postern").contains("Message-ID: <pf1@remote.test>")
                .contains("\n.dot line");
        // Postern's own Received line names the TLS it was reached over: Postfix was told to require it.
        assertThat(msg).containsPattern("Received: from " + PostfixInstance.HOSTNAME.replace(".", "\\.")
                + "[^\\n]*(\\r\\n[ \\t][^\\n]*)*using TLSv1\\.[23] with cipher");
        assertThat(msg).startsWith("Return-Path: <carol@remote.test>");
    }

    @Test
    void smtplibOverImplicitTlsAndPostfixRejectionBouncesToTheSender() throws Exception {
        // Python's SMTP_SSL on 465 (RFC 8314), one recipient Postfix knows and one it refuses at RCPT.
        Program r = python("""
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                ctx.check_hostname = False
                body = ("From: " + sys.argv[3] + "\\r\\nTo: bob@remote.test\\r\\nSubject: half known\\r\\n"
                        "Message-ID: <half@example.test>\\r\\n\\r\\nhello\\r\\n")
                with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=30) as s:
                    s.login(sys.argv[3], sys.argv[4])
                    refused = s.sendmail(sys.argv[3], ["bob@remote.test", "nobody@remote.test"], body)
                    assert not refused, refused
                """, Integer.toString(postern.submissionsPort()), postern.certificatePem().toString(), ALICE, ALICE_PW);
        assertThat(r.exit()).as(r.output()).isZero();

        assertThat(postfix.awaitMessages("bob", 1).get(0)).contains("Subject: half known");
        String dsn = inbox(postern.store(), ALICE, 1).get(0);
        // RFC 3464: Postfix's own 550 for the unknown mailbox travels in the DSN.
        assertThat(dsn).contains("Final-Recipient: rfc822; nobody@remote.test")
                .contains("Action: failed")
                .containsPattern("Diagnostic-Code: smtp; 550 5\\.1\\.1")
                .contains("Message-ID: <half@example.test>")
                .doesNotContain("Final-Recipient: rfc822; bob@remote.test");
        await(() -> postern.store().queue().list().isEmpty(), "Postern's queue to drain");
    }

    // --- helpers

    private Program python(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        return Program.run(cmd, Map.of(), null, DEADLINE);
    }

    /** The Received header field (with its folded lines) that {@code host} added. */
    private static String receivedBy(String msg, String host) {
        String unfolded = msg.replaceAll("\r?\n[ \t]+", " ");
        for (String line : unfolded.split("\r?\n")) {
            if (line.isEmpty()) break;
            if (line.startsWith("Received:") && line.contains("by " + host)) return line;
        }
        throw new AssertionError("no Received line by " + host + " in:\n" + msg);
    }

    private static List<String> inbox(MailStore store, String address, int count) throws Exception {
        Account a = store.directory().account(address).orElseThrow();
        Mailbox inbox = store.mailboxes().find(a.id(), Mailbox.INBOX).orElseThrow();
        await(() -> store.mailboxes().snapshot(a.id(), inbox.id()).messages().size() >= count,
                count + " message(s) in the INBOX of " + address);
        List<String> out = new ArrayList<>();
        for (MessageRecord m : store.mailboxes().snapshot(a.id(), inbox.id()).messages()) {
            try (InputStream in = store.blobs().open(m.blobId())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}

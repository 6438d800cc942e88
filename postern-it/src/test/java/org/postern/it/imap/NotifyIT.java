// SPDX-License-Identifier: Apache-2.0
package org.postern.it.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.testkit.RawClient;
import org.postern.testkit.TestServer;

/**
 * The whole server: mail arriving over SMTP reaches an IMAP session that asked with NOTIFY
 * (RFC 5465) while it sends no command at all: a STATUS for INBOX while another mailbox is
 * selected, then EXISTS and the requested FETCH once INBOX is selected.
 */
class NotifyIT {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        server.createUser("alice@example.test", "alice-pw");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void smtpDeliver(String subject) throws Exception {
        try (RawClient mx = RawClient.connect(server.host(), server.smtpPort())) {
            mx.expect("220 ");
            mx.send("EHLO client.example");
            mx.readUntil("^250 .*");
            mx.send("MAIL FROM:<carol@remote.example>");
            mx.expect("250 ");
            mx.send("RCPT TO:<alice@example.test>");
            mx.expect("250 ");
            mx.send("DATA");
            mx.expect("354 ");
            mx.sendRaw("From: carol@remote.example\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\n\r\nhello\r\n.\r\n");
            mx.expect("250 ");
        }
    }

    @Test
    void deliveryIsReportedWithoutACommand() throws Exception {
        try (RawClient c = RawClient.connect(server.host(), server.imapsPort(), server.sslContext())) {
            c.timeout(Duration.ofSeconds(10));
            c.expect("* OK ");
            c.send("a LOGIN alice@example.test alice-pw");
            assertThat(c.readUntil("^a OK .*").getLast()).contains(" NOTIFY ");
            c.send("b CREATE Work");
            c.readUntil("^b OK .*");
            c.send("c SELECT Work");
            c.readUntil("^c OK .*");
            c.send("d NOTIFY SET STATUS (selected (MessageNew (UID ENVELOPE) MessageExpunge)) (inboxes (MessageNew MessageExpunge))");
            // RFC 5465 §6.3: "inboxes" are where mail is delivered: INBOX and Junk, not Work or Archive.
            assertThat(c.readUntil("^d OK .*")).satisfiesExactlyInAnyOrder(
                    l -> assertThat(l).startsWith("* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY "),
                    l -> assertThat(l).startsWith("* STATUS Junk (MESSAGES 0 UIDNEXT 1 UIDVALIDITY "),
                    l -> assertThat(l).isEqualTo("d OK NOTIFY completed"));
            smtpDeliver("first");
            c.expect("* STATUS INBOX (MESSAGES 1 UIDNEXT 2)");
            c.send("e SELECT INBOX");
            c.readUntil("^e OK \\[READ-WRITE\\] .*");
            smtpDeliver("second");
            c.expect("* 2 EXISTS", "* 1 RECENT", "^\\* 2 FETCH \\(UID 2 ENVELOPE \\(.*\"second\".*\\)\\)$");
            c.send("f LOGOUT");
            c.expect("* BYE ");
        }
    }
}

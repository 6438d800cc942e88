// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ENABLE (RFC 5161) and the IMAP4rev2 differences of RFC 9051 Appendix E, as exact transcripts. */
class Imap4Rev2Test {
    static final String MSG = ImapSessionTest.MSG;

    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void enableListsOnlyWhatItNewlyEnabledAndLeavesCapabilitiesAlone() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            String caps = c.cmd("a CAPABILITY").getFirst();
            c.exchange("b ENABLE IMAP4rev2 X-UNKNOWN-EXTENSION",
                    "* ENABLED IMAP4rev2",
                    "b OK ENABLE completed");
            c.exchange("c ENABLE imap4REV2 CONDSTORE",
                    "* ENABLED CONDSTORE",
                    "c OK ENABLE completed");
            // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE, already on here.
            c.exchange("d ENABLE QRESYNC",
                    "* ENABLED QRESYNC",
                    "d OK ENABLE completed");
            c.exchange("e ENABLE",
                    "e BAD Missing argument");
            // RFC 5161 §3.1: CAPABILITY does not change after ENABLE.
            c.exchange("f CAPABILITY", caps, "f OK CAPABILITY completed");
        }
    }

    @Test
    void enableIsRefusedBeforeLogin() throws Exception {
        try (ImapClient raw = new ImapClient(server.listener.port())) {
            raw.line();
            ImapFixture.Session c = new ImapFixture.Session(raw);
            c.exchange("a ENABLE IMAP4rev2", "a BAD Log in first");
        }
    }

    @Test
    void rev2SelectHasListAndNoRecentOrUnseen() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", MSG);
            c.capture("UV", "u STATUS INBOX (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.capture("MS", "m STATUS INBOX (HIGHESTMODSEQ)", "HIGHESTMODSEQ (\\d+)");
            c.exchange("a ENABLE IMAP4rev2", "* ENABLED IMAP4rev2", "a OK ENABLE completed");
            c.exchange("b SELECT INBOX",
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                    "* 1 EXISTS",
                    "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
                    "* OK [UIDVALIDITY ${UV}] UIDs valid",
                    "* OK [UIDNEXT 2] Predicted next UID",
                    "* OK [HIGHESTMODSEQ ${MS}] Highest",
                    "* OK [MAILBOXID (M1)] Ok",
                    "b OK [READ-WRITE] SELECT completed");
            // RFC 9051 §6.3.2: deselecting by SELECT says CLOSED first.
            c.exchange("c EXAMINE Sent",
                    "* OK [CLOSED] Previous mailbox is now closed",
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS ()] Read-only mailbox",
                    "* 0 EXISTS",
                    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
                    "* OK [UIDVALIDITY ${UV+2}] UIDs valid",
                    "* OK [UIDNEXT 1] Predicted next UID",
                    "* OK [HIGHESTMODSEQ 1] Highest",
                    "* OK [MAILBOXID (M3)] Ok",
                    "c OK [READ-ONLY] EXAMINE completed");
        }
    }

    @Test
    void rev2SearchAnswersWithEsearchAndFlagsCarryUidButNoRecent() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            c.append("INBOX", MSG);
            c.append("INBOX", "(\\Deleted) ", MSG);
            c.exchange("a ENABLE IMAP4rev2", "* ENABLED IMAP4rev2", "a OK ENABLE completed");
            c.cmd("b SELECT INBOX");
            c.exchange("c SEARCH ALL", "* ESEARCH (TAG \"c\") ALL 1:2", "c OK SEARCH completed");
            c.exchange("d UID SEARCH DELETED", "* ESEARCH (TAG \"d\") UID ALL 2", "d OK UID SEARCH completed");
            // RFC 4731 §3.1: no ALL when nothing matched.
            c.exchange("e SEARCH FLAGGED", "* ESEARCH (TAG \"e\")", "e OK SEARCH completed");
            other.append("INBOX", MSG);
            // A new message is not \Recent and no RECENT response follows EXISTS (RFC 9051 §2.3.2).
            c.exchange("f NOOP", "* 3 EXISTS", "f OK NOOP completed");
            c.exchange("g FETCH 3 (FLAGS)", "* 3 FETCH (FLAGS ())", "g OK FETCH completed");
            other.cmd("s SELECT INBOX");
            other.cmd("t STORE 1 +FLAGS.SILENT (\\Seen)");
            // RFC 9051 §7.5.2: unsolicited FETCH includes UID.
            c.exchange("h NOOP", "* 1 FETCH (UID 1 FLAGS (\\Seen))", "h OK NOOP completed");
            c.exchange("i STATUS INBOX (MESSAGES DELETED SIZE)",
                    "* STATUS INBOX (MESSAGES 3 DELETED 1 SIZE " + 3 * MSG.length() + ")", "i OK STATUS completed");
        }
    }

    @Test
    void rev2MailboxNamesAreUtf8() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.exchange("a CREATE \"Entw&APw-rfe\"", "a OK [MAILBOXID (M7)] CREATE completed");
            c.exchange("b ENABLE IMAP4rev2", "* ENABLED IMAP4rev2", "b OK ENABLE completed");
            // The modified UTF-7 form is now an ordinary name; the UTF-8 form names the old mailbox.
            c.exchange("c LIST \"\" Entw*", "* LIST (\\HasNoChildren) \"/\" {9}\r\nEntwürfe", "c OK LIST completed");
            c.exchange("d CREATE \"Entw&APw-rfe\"", "d OK [MAILBOXID (M8)] CREATE completed");
            c.exchange("e STATUS \"Entwürfe\" (MAILBOXID)", "* STATUS {9}\r\nEntwürfe (MAILBOXID (M7))", "e OK STATUS completed");
        }
    }

    @Test
    void rev1KeepsRecentSearchAndModifiedUtf7() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            c.exchange("a CREATE \"Entw&APw-rfe\"", "a OK [MAILBOXID (M7)] CREATE completed");
            c.exchange("b LIST \"\" Entw*", "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"", "b OK LIST completed");
            c.cmd("c SELECT INBOX");
            other.append("INBOX", MSG);
            c.exchange("d NOOP", "* 1 EXISTS", "* 1 RECENT", "d OK NOOP completed");
            c.exchange("e SEARCH RECENT", "* SEARCH 1", "e OK SEARCH completed");
            c.exchange("f FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS (\\Recent))", "f OK FETCH completed");
        }
    }

    @Test
    void utf8AcceptTakesUtf8NamesUtf8AppendAndRefusesCharset() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.exchange("a ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT", "a OK ENABLE completed");
            c.exchange("b CREATE \"Café\"", "b OK [MAILBOXID (M7)] CREATE completed");
            String msg = "From: José <jose@example.org>\r\nSubject: Grüße\r\n\r\nHallo\r\n";
            int octets = msg.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            // RFC 6855 §4: APPEND ... UTF8 (~{n}), the message closed by ")".
            c.client.send("c APPEND \"Café\" UTF8 (~{" + octets + "+}");
            c.client.sendRaw(msg + ")\r\n");
            org.assertj.core.api.Assertions.assertThat(c.client.until("c").getLast()).matches("c OK \\[APPENDUID \\d+ 1\\] APPEND completed");
            c.client.send("d APPEND INBOX ~{" + octets + "+}");
            c.client.sendRaw(msg + "\r\n");
            org.assertj.core.api.Assertions.assertThat(c.client.until("d").getLast()).matches("d OK \\[APPENDUID \\d+ 1\\] APPEND completed");
            c.cmd("e SELECT \"Café\"");
            c.exchange("f FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {20}\r\nSubject: Grüße\r\n\r\n)", "f OK FETCH completed");
            c.exchange("g SEARCH SUBJECT \"grüße\"", "* SEARCH 1", "g OK SEARCH completed");
            c.exchange("h SEARCH CHARSET UTF-8 ALL", "h BAD No CHARSET after ENABLE UTF8=ACCEPT");
            c.client.send("i APPEND INBOX UTF8 (~{5+}");
            c.client.sendRaw("hello\r\n");
            org.assertj.core.api.Assertions.assertThat(c.client.until("i").getLast()).isEqualTo("i BAD Unexpected data after the message");
        }
    }
}

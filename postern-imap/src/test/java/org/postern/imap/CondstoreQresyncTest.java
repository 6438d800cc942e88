// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONDSTORE and QRESYNC (RFC 7162) as exact transcripts. The store gives one MODSEQ per transaction
 * per account, so after three APPENDs with HIGHESTMODSEQ ${B} the messages carry ${B}-2, ${B}-1 and
 * ${B}, and every later change is ${B+n}.
 */
class CondstoreQresyncTest {
    static final String MSG = ImapSessionTest.MSG;
    static final String SELECT_TAIL_RW = "OK [READ-WRITE] SELECT completed";

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

    /** Appends three messages and reads UIDVALIDITY and HIGHESTMODSEQ in a separate session (STATUS
     * HIGHESTMODSEQ would turn CONDSTORE on in {@code c}). */
    private void threeMessages(ImapFixture.Session c) throws Exception {
        try (ImapFixture.Session setup = server.login()) {
            setup.append("INBOX", MSG);
            setup.append("INBOX", MSG);
            setup.append("INBOX", MSG);
            c.let("UV", setup.capture("UV", "u STATUS INBOX (UIDVALIDITY)", "UIDVALIDITY (\\d+)"));
            long b = setup.capture("B", "m STATUS INBOX (HIGHESTMODSEQ)", "HIGHESTMODSEQ (\\d+)");
            c.let("B", b).let("B-2", b - 2).let("B-1", b - 1);
        }
    }

    @Test
    void condstoreSelectFetchStoreSearchStatus() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            threeMessages(c);
            c.exchange("a SELECT INBOX (CONDSTORE)",
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                    "* 3 EXISTS",
                    "* 0 RECENT",
                    "* OK [UNSEEN 1] First unseen",
                    "* OK [UIDVALIDITY ${UV}] UIDs valid",
                    "* OK [UIDNEXT 4] Predicted next UID",
                    "* OK [HIGHESTMODSEQ ${B}] Highest",
                    "* OK [MAILBOXID (M1)] Ok",
                    "a OK [READ-WRITE] SELECT completed");
            // RFC 7162 §3.1.4: MODSEQ on request, and with FLAGS once CONDSTORE is on.
            c.exchange("b FETCH 1:* (FLAGS)",
                    "* 1 FETCH (FLAGS () MODSEQ (${B-2}))",
                    "* 2 FETCH (FLAGS () MODSEQ (${B-1}))",
                    "* 3 FETCH (FLAGS () MODSEQ (${B}))",
                    "b OK FETCH completed");
            c.exchange("c STORE 2 +FLAGS (\\Flagged)",
                    "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (${B+1}))",
                    "c OK STORE completed");
            // RFC 7162 §3.1.3: message 2 changed after ${B}, so it is left alone and named in MODIFIED;
            // the others change, and are reported with MODSEQ even though .SILENT was asked.
            c.exchange("d STORE 1:3 (UNCHANGEDSINCE ${B}) +FLAGS.SILENT (\\Seen)",
                    "* 1 FETCH (UID 1 MODSEQ (${B+2}))",
                    "* 3 FETCH (UID 3 MODSEQ (${B+2}))",
                    "d OK [MODIFIED 2] Conditional STORE failed");
            c.exchange("e UID STORE 1,3 (UNCHANGEDSINCE 0) -FLAGS (\\Seen)",
                    "e OK [MODIFIED 1,3] Conditional UID STORE failed");
            c.exchange("f FETCH 1:* (UID) (CHANGEDSINCE ${B+1})",
                    "* 1 FETCH (UID 1 MODSEQ (${B+2}))",
                    "* 3 FETCH (UID 3 MODSEQ (${B+2}))",
                    "f OK FETCH completed");
            c.exchange("g SEARCH MODSEQ ${B+1}", "* SEARCH 1 2 3 (MODSEQ ${B+2})", "g OK SEARCH completed");
            c.exchange("h SEARCH MODSEQ \"/flags/\\\\flagged\" all ${B+2} SEEN", "* SEARCH 1 3 (MODSEQ ${B+2})",
                    "h OK SEARCH completed");
            c.exchange("i SEARCH MODSEQ ${B+3}", "* SEARCH", "i OK SEARCH completed");
            c.exchange("j STATUS INBOX (HIGHESTMODSEQ MESSAGES)", "* STATUS INBOX (HIGHESTMODSEQ ${B+2} MESSAGES 3)",
                    "j OK STATUS completed");
            other.cmd("s SELECT INBOX");
            other.cmd("t STORE 2 -FLAGS.SILENT (\\Flagged)");
            // RFC 7162 §3.2.4: another session's change comes with UID and MODSEQ.
            c.exchange("k NOOP", "* 2 FETCH (UID 2 FLAGS () MODSEQ (${B+3}))", "k OK NOOP completed");
            c.exchange("l STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)", "l BAD Expected a number");
        }
    }

    @Test
    void fetchModseqEnablesCondstoreWithoutSelectParameter() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            threeMessages(c);
            c.cmd("a SELECT INBOX");
            c.exchange("b FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS ())", "b OK FETCH completed");
            c.exchange("c FETCH 1 (MODSEQ)", "* 1 FETCH (MODSEQ (${B-2}))", "c OK FETCH completed");
            // Now CONDSTORE is on for the session (RFC 7162 §3.1: a CONDSTORE enabling command).
            c.exchange("d FETCH 1 (FLAGS)", "* 1 FETCH (FLAGS () MODSEQ (${B-2}))", "d OK FETCH completed");
            // An implicit \Seen is reported with UID and MODSEQ (RFC 7162 §3.2.4).
            c.exchange("e FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])",
                    "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {24}\r\nSubject: Hello there\r\n\r\n FLAGS (\\Seen) MODSEQ (${B+1}) UID 2)",
                    "e OK FETCH completed");
        }
    }

    @Test
    void qresyncSelectReportsVanishedAndChangedSinceTheClientsModseq() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            threeMessages(c);
            c.exchange("a SELECT INBOX (QRESYNC (${UV} ${B}))", "a BAD ENABLE QRESYNC first");
            c.exchange("b ENABLE QRESYNC", "* ENABLED QRESYNC", "b OK ENABLE completed");
            other.cmd("s SELECT INBOX");
            other.cmd("t STORE 1 +FLAGS.SILENT (\\Seen)");
            other.cmd("t STORE 3 +FLAGS.SILENT (\\Deleted)");
            other.cmd("x EXPUNGE");
            c.exchange("c SELECT INBOX (QRESYNC (${UV} ${B} 1:3))",
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                    "* 2 EXISTS",
                    "* 0 RECENT",
                    "* OK [UNSEEN 2] First unseen",
                    "* OK [UIDVALIDITY ${UV}] UIDs valid",
                    "* OK [UIDNEXT 4] Predicted next UID",
                    "* OK [HIGHESTMODSEQ ${B+3}] Highest",
                    "* OK [MAILBOXID (M1)] Ok",
                    "* VANISHED (EARLIER) 3",
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (${B+1}))",
                    "c OK [READ-WRITE] SELECT completed");
            other.cmd("t STORE 2 +FLAGS.SILENT (\\Deleted)");
            other.cmd("x EXPUNGE");
            // RFC 7162 §3.2.10: after ENABLE QRESYNC, VANISHED instead of EXPUNGE.
            c.exchange("d NOOP", "* VANISHED 2", "d OK NOOP completed");
            c.exchange("e UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${B} VANISHED)",
                    "* VANISHED (EARLIER) 2:3",
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (${B+1}))",
                    "e OK UID FETCH completed");
            c.exchange("f FETCH 1 (FLAGS) (CHANGEDSINCE ${B} VANISHED)", "f BAD VANISHED needs UID FETCH and QRESYNC");
            c.exchange("g STORE 1 +FLAGS.SILENT (\\Deleted)", "* 1 FETCH (UID 1 MODSEQ (${B+6}))", "g OK STORE completed");
            c.exchange("h EXPUNGE", "* VANISHED 1", "h OK [HIGHESTMODSEQ ${B+7}] EXPUNGE completed");
            // A UIDVALIDITY that does not match: plain SELECT, no VANISHED and no FETCH.
            c.exchange("i EXAMINE INBOX (QRESYNC (1 ${B}))",
                    "* OK [CLOSED] Previous mailbox is now closed",
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS ()] Read-only mailbox",
                    "* 0 EXISTS",
                    "* 0 RECENT",
                    "* OK [UIDVALIDITY ${UV}] UIDs valid",
                    "* OK [UIDNEXT 4] Predicted next UID",
                    "* OK [HIGHESTMODSEQ ${B+7}] Highest",
                    "* OK [MAILBOXID (M1)] Ok",
                    "i OK [READ-ONLY] EXAMINE completed");
        }
    }

    @Test
    void idleReportsVanishedAndModseqUnderQresyncAndRev2() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session other = server.login()) {
            threeMessages(c);
            c.exchange("a ENABLE QRESYNC IMAP4rev2", "* ENABLED QRESYNC IMAP4rev2", "a OK ENABLE completed");
            c.cmd("b SELECT INBOX");
            c.client.send("i IDLE");
            c.expectLines("+ idling");
            other.cmd("s SELECT INBOX");
            other.cmd("t STORE 2 +FLAGS.SILENT (\\Flagged)");
            c.expectLines("* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (${B+1}))");
            other.cmd("u STORE 1 +FLAGS.SILENT (\\Deleted)");
            c.expectLines("* 1 FETCH (UID 1 FLAGS (\\Deleted) MODSEQ (${B+2}))");
            other.cmd("v EXPUNGE");
            c.expectLines("* VANISHED 1");
            other.append("INBOX", MSG);
            // IMAP4rev2: EXISTS without RECENT.
            c.expectLines("* 3 EXISTS");
            c.client.send("DONE");
            c.expectLines("i OK IDLE terminated");
        }
    }
}

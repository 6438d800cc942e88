// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * THREADID (RFC 8474 §5.2, §6) as transcripts: FETCH and SEARCH/ESEARCH agree with each other and
 * with THREAD=REFERENCES on messages linked by Message-ID, In-Reply-To and References, and the ids
 * stay the same after a copy, an expunge and a new session.
 */
class ThreadIdTest {
    static final String ROOT = "Message-ID: <a@x>\r\nSubject: plan\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nroot\r\n";
    static final String REPLY = "Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\nSubject: Re: plan\r\n"
            + "Date: Mon, 1 Jan 2024 11:00:00 +0000\r\n\r\nreply\r\n";
    static final String OTHER = "Message-ID: <c@x>\r\nSubject: lunch\r\nDate: Mon, 1 Jan 2024 12:00:00 +0000\r\n\r\nother\r\n";
    static final String DEEP = "Message-ID: <d@x>\r\nReferences: <a@x> <b@x>\r\nSubject: Re: plan\r\n"
            + "Date: Mon, 1 Jan 2024 13:00:00 +0000\r\n\r\ndeep\r\n";

    @TempDir
    Path dir;

    @Test
    void fetchSearchAndThreadAgree() throws Exception {
        try (ImapFixture server = new ImapFixture(dir); ImapFixture.Session a = server.login()) {
            long acct = server.store.directory().account(ImapFixture.USER).orElseThrow().id();
            a.let("T1", "T" + acct + "-1").let("T2", "T" + acct + "-2");
            // The reply arrives first: it still ends up in its parent's thread.
            a.append("INBOX", REPLY);
            a.append("INBOX", ROOT);
            a.append("INBOX", OTHER);
            a.append("INBOX", DEEP);
            a.cmd("s SELECT INBOX");
            a.exchange("a FETCH 1:4 (THREADID)", "* 1 FETCH (THREADID (${T1}))", "* 2 FETCH (THREADID (${T1}))",
                    "* 3 FETCH (THREADID (${T2}))", "* 4 FETCH (THREADID (${T1}))", "a OK FETCH completed");
            a.exchange("b UID THREAD REFERENCES UTF-8 ALL", "* THREAD (2 1 4)(3)", "b OK UID THREAD completed");
            a.exchange("c UID SEARCH THREADID ${T1}", "* SEARCH 1 2 4", "c OK UID SEARCH completed");
            a.exchange("d SEARCH RETURN (COUNT MIN) THREADID ${T2}", "* ESEARCH (TAG \"d\") MIN 3 COUNT 1", "d OK SEARCH completed");
            a.exchange("e SEARCH THREADID T999-1", "* SEARCH", "e OK SEARCH completed");
            a.exchange("f SEARCH NOT THREADID ${T1}", "* SEARCH 3", "f OK SEARCH completed");

            // A copy keeps its thread; so do the others after the root is expunged, in a new session.
            a.cmd("g CREATE Keep");
            a.cmd("h UID COPY 2 Keep");
            a.exchange("i UID STORE 2 +FLAGS.SILENT (\\Deleted)", "i OK UID STORE completed");
            a.exchange("j EXPUNGE", "* 2 EXPUNGE", "j OK EXPUNGE completed");
            try (ImapFixture.Session b = server.login()) {
                b.cmd("s SELECT Keep");
                b.exchange("a UID FETCH 1 (THREADID EMAILID)", "* 1 FETCH (UID 1 THREADID (" + a.var("T1") + ") EMAILID ("
                        + ObjectIds.emailId(server.store.mailboxes().message(acct,
                                server.store.mailboxes().find(acct, "Keep").orElseThrow().id(), 1).orElseThrow().blobId())
                        + "))", "a OK UID FETCH completed");
                b.cmd("t SELECT INBOX");
                b.exchange("b FETCH 1:* (UID THREADID)", "* 1 FETCH (UID 1 THREADID (" + a.var("T1") + "))",
                        "* 2 FETCH (UID 3 THREADID (" + a.var("T2") + "))", "* 3 FETCH (UID 4 THREADID (" + a.var("T1") + "))",
                        "b OK FETCH completed");
            }
        }
    }
}

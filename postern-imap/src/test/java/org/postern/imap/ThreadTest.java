// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256) as transcripts. */
class ThreadTest {
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

    static String msg(int day, String headers, String subject) {
        return headers + "Subject: " + subject + "\r\nDate: " + day + " Feb 2024 10:00:00 +0000\r\n\r\nbody\r\n";
    }

    @Test
    void threadsByReferencesAndBySubject() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", msg(1, "Message-ID: <1@x>\r\n", "Hello"));
            c.append("INBOX", msg(2, "Message-ID: <2@x>\r\nReferences: <1@x>\r\n", "Re: Hello"));
            c.append("INBOX", msg(3, "Message-ID: <3@x>\r\nIn-Reply-To: <1@x>\r\n", "Re: Hello"));
            c.append("INBOX", msg(4, "Message-ID: <4@x>\r\nReferences: <1@x> <2@x>\r\n", "Re: Hello"));
            c.append("INBOX", msg(5, "Message-ID: <5@x>\r\n", "Other"));
            c.append("INBOX", msg(6, "Message-ID: <6@x>\r\nReferences: <gone@x>\r\n", "Lost parent"));
            c.append("INBOX", msg(7, "Message-ID: <7@x>\r\nReferences: <gone@x>\r\n", "Re: Lost parent"));
            c.append("INBOX", msg(8, "", "Re: Other"));
            // A reference loop: 9 is linked under 10 first, so 10's reference to 9 would close the loop
            // and is dropped (RFC 5256 §4 step 1C), leaving 10 at the top.
            c.append("INBOX", msg(9, "Message-ID: <9@x>\r\nReferences: <10@x>\r\n", "Loop"));
            c.append("INBOX", msg(10, "Message-ID: <10@x>\r\nReferences: <9@x>\r\n", "Loop"));
            c.cmd("s SELECT INBOX");
            c.exchange("a THREAD REFERENCES UTF-8 ALL",
                    "* THREAD (1 (2 4)(3))(5 8)((6)(7))(10 9)", "a OK THREAD completed");
            c.exchange("b THREAD ORDEREDSUBJECT UTF-8 ALL",
                    "* THREAD (1 (2)(3)(4))(5 8)(6 7)(9 10)", "b OK THREAD completed");
            // Without message 1 its replies share an empty parent, kept at the top (RFC 5256 §4 step 3B).
            c.exchange("c UID THREAD REFERENCES US-ASCII 2:4", "* THREAD ((2 4)(3))", "c OK UID THREAD completed");
            c.exchange("d THREAD REFERENCES UTF-8 SUBJECT nothing-matches", "* THREAD", "d OK THREAD completed");
            c.exchange("e THREAD BOGUS UTF-8 ALL", "e BAD Unknown THREAD algorithm BOGUS");
            c.exchange("f THREAD REFERENCES KOI8-R ALL", "f NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
        }
    }
}

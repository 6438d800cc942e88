// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REPLACE and UID REPLACE (RFC 8508) as transcripts. */
class ReplaceTest {
    static final String DRAFT1 = "Subject: draft 1\r\n\r\nfirst\r\n";
    static final String DRAFT2 = "Subject: draft 2\r\n\r\nsecond\r\n";

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
    void replaceAppendsThenExpungesTheOldMessage() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("Drafts", "(\\Draft) ", DRAFT1);
            c.capture("UV", "u STATUS Drafts (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.cmd("s SELECT Drafts");
            c.client.send("a REPLACE 1 Drafts (\\Draft) {" + DRAFT2.length() + "}");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw(DRAFT2 + "\r\n");
            c.expectLines("* OK [APPENDUID ${UV} 2] Replacement Message ID", "* 1 EXPUNGE", "* 1 EXISTS", "* 1 RECENT",
                    "a OK REPLACE completed");
            c.exchange("b FETCH 1 (UID FLAGS BODY.PEEK[TEXT])", "* 1 FETCH (UID 2 FLAGS (\\Draft \\Recent) BODY[TEXT] {8}\r\nsecond\r\n)",
                    "b OK FETCH completed");
            // Into another mailbox, by UID, with LITERAL+.
            c.client.send("c UID REPLACE 2 Archive {" + DRAFT1.length() + "+}");
            c.client.sendRaw(DRAFT1 + "\r\n");
            org.assertj.core.api.Assertions.assertThat(c.client.line()).matches("\\* OK \\[APPENDUID \\d+ 1\\] Replacement Message ID");
            c.expectLines("* 1 EXPUNGE", "c OK UID REPLACE completed");
            c.exchange("d STATUS Archive (MESSAGES)", "* STATUS Archive (MESSAGES 1)", "d OK STATUS completed");
            // No such message: the new one is not stored either.
            c.client.send("e UID REPLACE 9 Drafts {" + DRAFT1.length() + "+}");
            c.client.sendRaw(DRAFT1 + "\r\n");
            c.expectLines("e NO [NONEXISTENT] No such message");
            c.exchange("f STATUS Drafts (MESSAGES)", "* STATUS Drafts (MESSAGES 0)", "f OK STATUS completed");
            c.exchange("g REPLACE 1 Drafts", "g BAD REPLACE needs a message literal");
            c.cmd("h UNSELECT");
            c.client.send("i REPLACE 1 Drafts {" + DRAFT1.length() + "}");
            c.expectLines("i BAD No mailbox selected");
        }
    }
}

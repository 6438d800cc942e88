// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CATENATE (RFC 4469) as transcripts: TEXT parts, URLs to whole messages and sections, BADURL. */
class CatenateTest {
    static final String ORIGINAL = "From: a@example.org\r\nSubject: original\r\n\r\nOriginal body.\r\n";
    static final String HEADER = "From: b@example.org\r\nSubject: forward\r\n\r\n";

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
    void catenatesTextAndUrls() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", ORIGINAL);
            c.capture("UV", "u STATUS INBOX (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.capture("DV", "v STATUS Drafts (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.client.send("a APPEND Drafts (\\Draft) CATENATE (TEXT {" + HEADER.length() + "}");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw(HEADER + " URL \"/INBOX;UIDVALIDITY=" + c.var("UV") + "/;UID=1/;SECTION=TEXT\""
                    + " URL \"imap://alice@localhost/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(SUBJECT)/;PARTIAL=0.9\")\r\n");
            c.expectLines("a OK [APPENDUID ${DV} 1] APPEND completed");
            c.cmd("s SELECT Drafts");
            String body = "Original body.\r\nSubject: ";
            c.exchange("b FETCH 1 (FLAGS BODY.PEEK[TEXT])",
                    "* 1 FETCH (FLAGS (\\Draft) BODY[TEXT] {" + body.length() + "}\r\n" + body + ")", "b OK FETCH completed");
            // Relative to the selected mailbox, plus a second message (MULTIAPPEND) from a literal.
            c.client.send("c APPEND Drafts CATENATE (URL \"/;UID=1\") {2+}");
            c.client.sendRaw("x\n\r\n");
            c.expectLines("* 3 EXISTS", "* 2 RECENT", "c OK [APPENDUID ${DV} 2:3] APPEND completed");
            c.exchange("d APPEND Drafts CATENATE (URL \"/INBOX;UIDVALIDITY=1/;UID=1\")",
                    "d NO [BADURL /INBOX;UIDVALIDITY=1/;UID=1] Cannot resolve URL");
            c.exchange("e APPEND Drafts CATENATE (URL \"/INBOX/;UID=9\")", "e NO [BADURL /INBOX/;UID=9] Cannot resolve URL");
            c.exchange("f APPEND Drafts CATENATE (URL \"/Nope/;UID=1\" URL \"/INBOX/;UID=1\")",
                    "f NO [BADURL /Nope/;UID=1] Cannot resolve URL");
            c.exchange("g APPEND Drafts CATENATE (URL \"http://example.org/\")",
                    "g NO [BADURL http://example.org/] Cannot resolve URL");
            c.exchange("h APPEND Drafts CATENATE (FROB x)", "h BAD Expected TEXT or URL");
            c.exchange("i STATUS Drafts (MESSAGES)", "* STATUS Drafts (MESSAGES 3)", "i OK STATUS completed");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MULTIAPPEND (RFC 3502) and APPENDLIMIT (RFC 7889) as transcripts. */
class AppendExtensionsTest {
    static final String A = "Subject: a\r\n\r\nA\r\n";
    static final String B = "Subject: b\r\n\r\nB\r\n";

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
    void multiappendAddsAllOrNothing() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.capture("UV", "u STATUS INBOX (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.client.send("a APPEND INBOX (\\Seen) {" + A.length() + "}");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw(A + " \"01-Jan-2024 10:00:00 +0000\" {" + B.length() + "}\r\n");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw(B + " {" + A.length() + "+}\r\n" + A + "\r\n");
            c.expectLines("a OK [APPENDUID ${UV} 1:3] APPEND completed");
            c.exchange("b STATUS INBOX (MESSAGES UNSEEN)", "* STATUS INBOX (MESSAGES 3 UNSEEN 2)", "b OK STATUS completed");
            // The second message is refused (too large for APPENDLIMIT): the first is taken back.
            c.client.send("c APPEND INBOX {" + A.length() + "}");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw(A + " {99999999999}\r\n");
            c.expectLines("c NO [TOOBIG] Message too large");
            c.exchange("d STATUS INBOX (MESSAGES)", "* STATUS INBOX (MESSAGES 3)", "d OK STATUS completed");
            c.client.send("e APPEND INBOX {" + A.length() + "+}");
            c.client.sendRaw(A + " (\\Bogus) {1+}\r\nx\r\n");
            c.expectLines("* BYE Unsupported APPEND syntax", "e BAD Unknown system flag \\Bogus");
        }
    }

    @Test
    void appendLimitIsAdvertisedAndEnforced() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            String caps = c.cmd("a CAPABILITY").getFirst();
            org.assertj.core.api.Assertions.assertThat(caps).contains(" APPENDLIMIT=52428800", " MULTIAPPEND");
            c.exchange("b APPEND INBOX {52428801}", "b NO [TOOBIG] Message too large");
            c.exchange("c NOOP", "c OK NOOP completed");
        }
    }
}

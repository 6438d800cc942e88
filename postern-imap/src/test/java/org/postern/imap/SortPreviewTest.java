// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SORT (RFC 5256), SORT=DISPLAY (RFC 5957), ESORT (RFC 5267) and PREVIEW (RFC 8970). */
class SortPreviewTest {
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

    static String msg(String from, String to, String subject, String date, String body) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + date + "\r\n\r\n" + body + "\r\n";
    }

    @Test
    void sortsByEachKeyWithSequenceNumbersBreakingTies() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            // 1: zed, "Re: [list] Beta", sent 3 Feb;  2: "Adam" amy, "alpha (fwd)", sent 1 Feb;
            // 3: bob, "Fwd: Re: beta", no Date so its arrival (2 Feb) counts (RFC 5256 §3 DATE).
            c.append("INBOX", "\"05-Feb-2024 10:00:00 +0000\" ", msg("Zed <zed@example.org>", "b@example.org",
                    "Re: [list] Beta", "Sat, 3 Feb 2024 10:00:00 +0000", "x".repeat(300)));
            c.append("INBOX", "\"04-Feb-2024 10:00:00 +0000\" ", msg("Adam <amy@example.org>", "a@example.org",
                    "alpha (fwd)", "Thu, 1 Feb 2024 10:00:00 +0000", "short"));
            c.append("INBOX", "\"02-Feb-2024 10:00:00 +0000\" ", "From: bob@example.org\r\nTo: =?utf-8?q?=C3=89mile?= <c@example.org>\r\n"
                    + "Subject: Fwd: Re: beta\r\n\r\nmiddle body text\r\n");
            c.cmd("s SELECT INBOX");
            c.exchange("a SORT (SUBJECT) UTF-8 ALL", "* SORT 2 1 3", "a OK SORT completed");
            c.exchange("b SORT (FROM) UTF-8 ALL", "* SORT 2 3 1", "b OK SORT completed");
            c.exchange("c SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 3 1", "c OK SORT completed");
            c.exchange("d SORT (REVERSE DATE) US-ASCII ALL", "* SORT 1 3 2", "d OK SORT completed");
            c.exchange("e SORT (ARRIVAL) UTF-8 ALL", "* SORT 3 2 1", "e OK SORT completed");
            c.exchange("f UID SORT (SIZE) UTF-8 ALL", "* SORT 3 2 1", "f OK UID SORT completed");
            c.exchange("g SORT (DISPLAYTO) UTF-8 ALL", "* SORT 2 1 3", "g OK SORT completed");
            c.exchange("h SORT (SUBJECT REVERSE ARRIVAL) UTF-8 NOT FROM zed", "* SORT 2 3", "h OK SORT completed");
            c.exchange("i UID SORT RETURN (MIN MAX COUNT ALL) (REVERSE SIZE) UTF-8 ALL",
                    "* ESEARCH (TAG \"i\") UID MIN 1 MAX 3 ALL 1:3 COUNT 3", "i OK UID SORT completed");
            c.exchange("j SORT (SUBJECT) KOI8-R ALL", "j NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
            c.exchange("k SORT (SUBJECT) ALL", "k BAD Missing argument");
            c.exchange("l SORT (BOGUS) UTF-8 ALL", "l BAD Unknown sort key BOGUS");
            c.exchange("m FETCH 2:3 (PREVIEW)", "* 2 FETCH (PREVIEW \"short\")", "* 3 FETCH (PREVIEW \"middle body text\")",
                    "m OK FETCH completed");
            c.exchange("n FETCH 1 (PREVIEW (LAZY))", "* 1 FETCH (PREVIEW \"" + "x".repeat(200) + "\")", "n OK FETCH completed");
        }
    }

    @Test
    void baseSubjectFollowsRfc5256() {
        assertThat(SortHandler.baseSubject("Re: [list] Re:  Hello   world (fwd)")).isEqualTo("Hello world");
        assertThat(SortHandler.baseSubject("[fwd: Re: Meeting]")).isEqualTo("Meeting");
        assertThat(SortHandler.baseSubject("[only a blob]")).isEqualTo("[only a blob]");
        assertThat(SortHandler.baseSubject("Fw[2]: Reply")).isEqualTo("Reply");
        assertThat(SortHandler.baseSubject("=?utf-8?q?Re=3A_Gr=C3=BC=C3=9Fe?=")).isEqualTo("Grüße");
        assertThat(SortHandler.baseSubject(null)).isEmpty();
    }
}

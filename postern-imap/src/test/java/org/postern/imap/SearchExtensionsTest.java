// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ESEARCH (RFC 4731), SEARCHRES (RFC 5182), WITHIN (RFC 5032), SAVEDATE (RFC 8514), OBJECTID (RFC 8474). */
class SearchExtensionsTest {
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
    void esearchReturnOptions() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            for (int i = 0; i < 5; i++) c.append("INBOX", i % 2 == 0 ? "(\\Flagged) " : "", MSG);
            c.cmd("a SELECT INBOX");
            c.exchange("b SEARCH RETURN (MIN MAX COUNT) FLAGGED",
                    "* ESEARCH (TAG \"b\") MIN 1 MAX 5 COUNT 3", "b OK SEARCH completed");
            c.exchange("c UID SEARCH RETURN () FLAGGED",
                    "* ESEARCH (TAG \"c\") UID ALL 1,3,5", "c OK UID SEARCH completed");
            c.exchange("d SEARCH RETURN (ALL COUNT) 2:4 UNFLAGGED",
                    "* ESEARCH (TAG \"d\") ALL 2,4 COUNT 2", "d OK SEARCH completed");
            c.exchange("e SEARCH RETURN (MIN COUNT) DELETED",
                    "* ESEARCH (TAG \"e\") COUNT 0", "e OK SEARCH completed");
            c.exchange("f SEARCH RETURN (FIRST) ALL", "f BAD Unknown SEARCH RETURN option FIRST");
        }
    }

    @Test
    void searchresSavesForDollar() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            for (int i = 0; i < 5; i++) c.append("INBOX", i % 2 == 0 ? "(\\Flagged) " : "", MSG);
            c.cmd("a SELECT INBOX");
            // RFC 5182 §2.4: SAVE alone answers nothing but the tagged OK.
            c.exchange("b UID SEARCH RETURN (SAVE) FLAGGED", "b OK UID SEARCH completed");
            c.exchange("c FETCH $ (UID)",
                    "* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "* 5 FETCH (UID 5)", "c OK FETCH completed");
            c.exchange("d SEARCH $ 2:5", "* SEARCH 3 5", "d OK SEARCH completed");
            c.exchange("e UID SEARCH RETURN (SAVE MIN) UID $ 2:*", "* ESEARCH (TAG \"e\") UID MIN 3", "e OK UID SEARCH completed");
            c.exchange("f UID STORE $ +FLAGS (\\Deleted)", "* 3 FETCH (UID 3 FLAGS (\\Deleted \\Flagged))", "f OK UID STORE completed");
            c.exchange("g UID EXPUNGE $", "* 3 EXPUNGE", "g OK UID EXPUNGE completed");
            // The saved message is gone: "$" is now empty (RFC 5182 §2.1).
            c.exchange("h UID FETCH $ (FLAGS)", "h OK UID FETCH completed");
            c.exchange("i SEARCH RETURN (SAVE) CHARSET KOI8-R BODY x", "i NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
            c.exchange("j SEARCH RETURN (SAVE) 1", "j OK SEARCH completed");
            c.capture("AV", "s STATUS Archive (UIDVALIDITY)", "UIDVALIDITY (\\d+)");
            c.exchange("k COPY $ Archive", "k OK [COPYUID ${AV} 1 1] COPY completed");
            // A new selection empties the saved result.
            c.cmd("l SELECT INBOX");
            c.exchange("m FETCH $ (UID)", "m OK FETCH completed");
        }
    }

    @Test
    void withinSavedateAndObjectIds() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            c.append("INBOX", "\"01-Jan-2020 10:00:00 +0000\" ", MSG);
            c.append("INBOX", MSG);
            c.cmd("a SELECT INBOX");
            c.exchange("b SEARCH YOUNGER 3600", "* SEARCH 2", "b OK SEARCH completed");
            c.exchange("c SEARCH OLDER 3600", "* SEARCH 1", "c OK SEARCH completed");
            c.exchange("d SEARCH YOUNGER 0", "d BAD Zero is not allowed here");
            String today = java.time.format.DateTimeFormatter.ofPattern("d-MMM-yyyy", java.util.Locale.ROOT)
                    .format(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
            // RFC 8514: the save date is when the message came into this mailbox, not its internal date.
            c.exchange("e SEARCH SAVEDON " + today + " SAVEDATESUPPORTED", "* SEARCH 1 2", "e OK SEARCH completed");
            c.exchange("f SEARCH SAVEDBEFORE 1-Jan-2021", "* SEARCH", "f OK SEARCH completed");
            // Two copies of one message (one Message-ID) are one thread (RFC 8474 §5.2).
            String thread = "T" + server.store.directory().account(ImapFixture.USER).orElseThrow().id() + "-1";
            java.util.List<String> ids = c.cmd("g FETCH 1:2 (EMAILID THREADID)");
            String id1 = ids.get(0).replaceAll(".*EMAILID \\((E[0-9a-f]{24})\\).*", "$1");
            org.assertj.core.api.Assertions.assertThat(ids).containsExactly(
                    "* 1 FETCH (EMAILID (" + id1 + ") THREADID (" + thread + "))",
                    "* 2 FETCH (EMAILID (" + ids.get(1).replaceAll(".*EMAILID \\((E[0-9a-f]{24})\\).*", "$1") + ") THREADID (" + thread + "))",
                    "g OK FETCH completed");
            c.exchange("h SEARCH EMAILID " + id1, "* SEARCH 1", "h OK SEARCH completed");
            // RFC 8474 §5.1: the EMAILID follows the message into another mailbox.
            c.cmd("i COPY 1 Archive");
            c.cmd("j SELECT Archive");
            c.exchange("k FETCH 1 (EMAILID)", "* 1 FETCH (EMAILID (" + id1 + "))", "k OK FETCH completed");
            c.exchange("l SEARCH THREADID T1", "* SEARCH", "l OK SEARCH completed");
            c.exchange("m SEARCH THREADID " + thread, "* SEARCH 1", "m OK SEARCH completed");
        }
    }
}

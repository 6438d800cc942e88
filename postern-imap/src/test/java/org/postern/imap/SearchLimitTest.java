// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.imap.parse.Command;
import org.postern.imap.parse.CommandParser;

/** The per-user cap on searches that read message contents, alone and on the wire. */
class SearchLimitTest {
    @TempDir
    Path dir;

    @Test
    void aUserWaitsForATurnThenGetsLimit() throws Exception {
        SearchLimit limit = new SearchLimit(2, Duration.ofMillis(50));
        AutoCloseable one = limit.acquire(7);
        AutoCloseable two = limit.acquire(7);
        assertThatThrownBy(() -> limit.acquire(7)).isInstanceOfSatisfying(ImapException.class,
                e -> assertThat(e.reply()).isEqualTo("NO [LIMIT] Too many searches at once; try again shortly"));
        // Another user is not held up by this one.
        limit.acquire(8).close();
        one.close();
        limit.acquire(7).close();
        two.close();
    }

    @Test
    void onlyCriteriaThatReadContentsAreExpensive() throws Exception {
        String[][] rows = {
                {"FLAGGED", "false"}, {"UID 1:* LARGER 10 SINCE 1-Jan-2020", "false"}, {"NOT SEEN", "false"},
                {"BODY x", "true"}, {"OR FLAGGED SUBJECT x", "true"}, {"NOT TEXT x", "true"},
                {"SENTSINCE 1-Jan-2020", "true"}, {"HEADER X-Y z", "true"}, {"MODSEQ 5", "false"}};
        for (String[] row : rows) {
            var r = CommandParser.parse(("a SEARCH " + row[0]).getBytes(StandardCharsets.US_ASCII));
            assertThat(SearchLimit.expensive(((Command.Search) r.command()).key())).as(row[0]).isEqualTo(Boolean.parseBoolean(row[1]));
        }
    }

    @Test
    void overTheCapSearchIsRefusedWithLimitAndCheapOnesStillRun() throws Exception {
        try (ImapFixture server = new ImapFixture(dir, c -> c.withSearchLimit(0, Duration.ZERO));
                ImapFixture.Session a = server.login()) {
            a.append("INBOX", "Subject: x\r\n\r\nbody\r\n");
            a.cmd("s SELECT INBOX");
            a.exchange("a SEARCH BODY body", "a NO [LIMIT] Too many searches at once; try again shortly");
            a.exchange("b SEARCH ALL", "* SEARCH 1", "b OK SEARCH completed");
            a.exchange("c SORT (SUBJECT) UTF-8 TEXT x", "c NO [LIMIT] Too many searches at once; try again shortly");
        }
    }
}

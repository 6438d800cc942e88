// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDLE (RFC 2177) reported by wake-up tasks rather than a thread per session, and the selected view
 * letting go of message details while idle: what comes after DONE must be as if nothing happened.
 */
class IdleTest {
    @TempDir
    Path dir;
    private ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static String message(int n) {
        return "Subject: m" + n + "\r\n\r\n" + "x".repeat(n) + "\r\n";
    }

    @Test
    void changesDuringIdleThenFetchAfterDoneSeesWholeRecords() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = server.login()) {
            for (int n = 1; n <= 3; n++) a.append("INBOX", message(n * 10));
            a.cmd("s SELECT INBOX");
            a.client.send("i IDLE");
            a.expectLines("+ idling");
            b.cmd("s SELECT INBOX");
            b.cmd("t STORE 1 +FLAGS.SILENT (\\Flagged)");
            a.expectLines("* 1 FETCH (FLAGS (\\Flagged))");
            b.cmd("u STORE 2 +FLAGS.SILENT (\\Deleted)");
            a.expectLines("* 2 FETCH (FLAGS (\\Deleted))");
            b.cmd("v EXPUNGE");
            a.expectLines("* 2 EXPUNGE");
            b.append("INBOX", message(40));
            a.expectLines("* 3 EXISTS", "* 1 RECENT");
            a.client.send("DONE");
            a.expectLines("i OK IDLE terminated");
            a.exchange("f FETCH 1:* (UID RFC822.SIZE FLAGS)",
                    "* 1 FETCH (UID 1 RFC822.SIZE " + message(10).length() + " FLAGS (\\Flagged))",
                    "* 2 FETCH (UID 3 RFC822.SIZE " + message(30).length() + " FLAGS ())",
                    "* 3 FETCH (UID 4 RFC822.SIZE " + message(40).length() + " FLAGS (\\Recent))",
                    "f OK FETCH completed");
            assertThat(a.cmd("g FETCH 3 BODY[HEADER.FIELDS (SUBJECT)]").getFirst()).contains("m40");
        }
    }

    @Test
    void doneRightAfterABurstOfChangesEndsCleanlyAndIdleWorksAgain() throws Exception {
        try (ImapFixture.Session a = server.login(); ImapFixture.Session b = server.login()) {
            a.append("INBOX", message(1));
            a.cmd("s SELECT INBOX");
            b.cmd("s SELECT INBOX");
            for (int round = 0; round < 2; round++) {
                a.client.send("i" + round + " IDLE");
                a.expectLines("+ idling");
                for (int k = 0; k < 3; k++) b.cmd("t STORE 1 " + (k % 2 == 0 ? "+" : "-") + "FLAGS.SILENT (\\Flagged)");
                a.client.send("DONE");
                // Whatever untagged FETCHes made it out before DONE, each is whole and the tagged reply is last.
                List<String> lines = a.client.until("i" + round);
                assertThat(lines.getLast()).isEqualTo("i" + round + " OK IDLE terminated");
                assertThat(lines.subList(0, lines.size() - 1))
                        .allMatch(l -> l.matches("\\* 1 FETCH \\(FLAGS \\((\\\\Flagged)?\\)\\)"));
                List<String> fetched = a.cmd("x" + round + " FETCH 1 FLAGS");
                assertThat(fetched.getLast()).isEqualTo("x" + round + " OK FETCH completed");
                assertThat(fetched).contains("* 1 FETCH (FLAGS (\\Flagged))");
            }
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.auth.PasswordHasher;
import org.postern.auth.Passwords;

/** METADATA and METADATA-SERVER (RFC 5464) as transcripts, with the limits and hostile entry names. */
class MetadataTest {
    @TempDir
    Path dir;
    ImapFixture server;

    @BeforeEach
    void setUp() throws Exception {
        server = new ImapFixture(dir);
        server.store.directory().createAccount("bob@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), false);
        server.store.directory().createAccount("root@example.org", new Passwords(PasswordHasher.Cost.TEST).record("pw"), true);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ImapFixture.Session login(String user) throws Exception {
        ImapFixture.Session s = new ImapFixture.Session(new ImapClient(server.listener.port()));
        s.client.line();
        assertThat(s.cmd("l LOGIN " + user + " pw").getLast()).startsWith("l OK ");
        return s;
    }

    @Test
    void mailboxEntriesSharedAndPrivate() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            assertThat(c.cmd("c CAPABILITY").getFirst()).contains(" METADATA METADATA-SERVER ");
            c.exchange("a GETMETADATA INBOX /private/comment", "* METADATA INBOX (/private/comment NIL)",
                    "a OK GETMETADATA completed");
            c.exchange("b SETMETADATA INBOX (/private/comment \"My own comment\" /shared/Comment \"Its sunny outside!\")",
                    "b OK SETMETADATA completed");
            c.exchange("c GETMETADATA \"INBOX\" (/shared/comment /private/comment)",
                    "* METADATA INBOX (/shared/comment \"Its sunny outside!\" /private/comment \"My own comment\")",
                    "c OK GETMETADATA completed");
            // Multi-line values travel as literals, both ways.
            c.client.send("d SETMETADATA INBOX (/private/filters/values/small {13}");
            c.expectLines("+ Ready for literal data");
            c.client.send("SMALLER\r\n5000 /private/filters/values/boss \"FROM boss\" /private/filters/values/x/deep \"3\")");
            c.expectLines("d OK SETMETADATA completed");
            c.exchange("e GETMETADATA INBOX (DEPTH 1) (/private/filters/values)",
                    "* METADATA INBOX (/private/filters/values NIL /private/filters/values/boss \"FROM boss\""
                            + " /private/filters/values/small {13}\r\nSMALLER\r\n5000)",
                    "e OK GETMETADATA completed");
            c.exchange("f GETMETADATA INBOX (DEPTH infinity MAXSIZE 5) (/private/filters)",
                    "* METADATA INBOX (/private/filters NIL /private/filters/values/x/deep \"3\")",
                    "f OK [METADATA LONGENTRIES 13] GETMETADATA completed");
            // NIL removes.
            c.exchange("g SETMETADATA INBOX (/private/comment NIL)", "g OK SETMETADATA completed");
            c.exchange("h GETMETADATA INBOX /private/comment", "* METADATA INBOX (/private/comment NIL)",
                    "h OK GETMETADATA completed");
            c.exchange("i GETMETADATA Nowhere /shared/comment", "i NO [NONEXISTENT] Mailbox does not exist");
            c.exchange("j SETMETADATA Nowhere (/shared/comment \"x\")", "j NO [NONEXISTENT] Mailbox does not exist");
        }
        // Bob sees neither alice's mailbox entries nor has any of his own.
        try (ImapFixture.Session b = login("bob@example.org")) {
            b.exchange("a GETMETADATA INBOX (/shared/comment /private/comment)",
                    "* METADATA INBOX (/shared/comment NIL /private/comment NIL)", "a OK GETMETADATA completed");
        }
    }

    @Test
    void serverEntries() throws Exception {
        try (ImapFixture.Session c = server.login(); ImapFixture.Session root = login("root@example.org")) {
            c.exchange("a SETMETADATA \"\" (/shared/comment \"mine\")",
                    "a NO [NOPERM] Only administrators can set shared server entries");
            c.exchange("b SETMETADATA \"\" (/private/vendor/postern/x \"p\")", "b OK SETMETADATA completed");
            root.exchange("c SETMETADATA \"\" (/shared/comment \"Server maintenance at 2am\")", "c OK SETMETADATA completed");
            c.exchange("d GETMETADATA \"\" (/shared/comment /private/vendor/postern/x)",
                    "* METADATA \"\" (/shared/comment \"Server maintenance at 2am\" /private/vendor/postern/x \"p\")",
                    "d OK GETMETADATA completed");
            root.exchange("e GETMETADATA \"\" /private/vendor/postern/x", "* METADATA \"\" (/private/vendor/postern/x NIL)",
                    "e OK GETMETADATA completed");
        }
    }

    @Test
    void limitsAndHostileNames() throws Exception {
        try (ImapFixture.Session c = server.login()) {
            String big = "x".repeat(MetadataHandler.MAX_VALUE + 1);
            c.client.send("a SETMETADATA INBOX (/shared/comment \"ok\" /private/comment {" + big.length() + "+}");
            c.client.send(big + ")");
            c.expectLines("a NO [METADATA MAXSIZE 16384] Value too large");
            // Nothing of the refused command was stored (RFC 5464 §4.3).
            c.exchange("b GETMETADATA INBOX /shared/comment", "* METADATA INBOX (/shared/comment NIL)", "b OK GETMETADATA completed");
            StringBuilder many = new StringBuilder("c SETMETADATA INBOX (");
            for (int i = 0; i < MetadataHandler.MAX_ENTRIES; i++) many.append(i == 0 ? "" : " ").append("/private/e").append(i).append(" \"v\"");
            c.exchange(many + ")", "c OK SETMETADATA completed");
            c.exchange("d SETMETADATA INBOX (/shared/one-more \"v\")", "d NO [METADATA TOOMANY] Too many entries");
            c.exchange("e SETMETADATA INBOX (/private/e1 NIL /shared/one-more \"v\")", "e OK SETMETADATA completed");
            // Invalid entry names are BAD (RFC 5464 §3.2).
            for (String bad : new String[] {"/comment", "/shared/", "/shared//x", "/shared/x/", "\"/shared/a*\"", "\"/shared/a%\"",
                    "shared/x", "/other/x"}) {
                c.exchange("f GETMETADATA INBOX " + bad, "f BAD Invalid entry name");
            }
            // Punctuation is allowed in names, and echoed safely quoted.
            c.exchange("f GETMETADATA INBOX \"/shared/\\\"x\"", "* METADATA INBOX (\"/shared/\\\"x\" NIL)", "f OK GETMETADATA completed");
            c.exchange("g GETMETADATA (DEPTH 2) INBOX /shared/x", "g BAD DEPTH must be 0, 1 or infinity");
            c.exchange("h GETMETADATA (FOO 1) INBOX /shared/x", "h BAD Unknown GETMETADATA option");
            // Response injection through a value: CR LF force a literal (HOSTILE A67).
            String inj = "x\r\n* OK [ALERT] pwned\r\n";
            c.client.send("i SETMETADATA Archive (/shared/inj {" + inj.length() + "}");
            c.expectLines("+ Ready for literal data");
            c.client.send(inj + ")");
            c.expectLines("i OK SETMETADATA completed");
            c.exchange("j GETMETADATA Archive /shared/inj", "* METADATA Archive (/shared/inj {23}\r\nx\r\n* OK [ALERT] pwned\r\n)",
                    "j OK GETMETADATA completed");
            // Binary values as literal8.
            c.client.send("k SETMETADATA Archive (/shared/bin ~{3}");
            c.expectLines("+ Ready for literal data");
            c.client.sendRaw("a\0b)\r\n");
            c.expectLines("k OK SETMETADATA completed");
            c.exchange("l GETMETADATA Archive /shared/bin", "* METADATA Archive (/shared/bin ~{3}\r\na\0b)", "l OK GETMETADATA completed");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
package org.postern.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.mime.MessageParser;
import org.postern.core.mime.MimeMessage;
import org.postern.imap.fetch.StructureCache;

/**
 * The server-wide ENVELOPE/BODYSTRUCTURE cache seen from sessions: whichever session fills it, every
 * other one, with or without UTF8=ACCEPT or IMAP4rev2, reads the bytes a fresh rendering gives.
 */
class SharedStructureTest {
    static final String EIGHT_BIT = String.join("\r\n",
            "From: \"Jürgen Müller\" <j@example.org>",
            "To: Ünïcødé <ü@bücher.example>, undisclosed:;",
            "Subject: Grüße \"quoted\" \\ back",
            "Message-ID: <a@b>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=b",
            "",
            "--b",
            "Content-Type: text/plain; charset=utf-8; name=\"Prüfung.txt\"",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Ä",
            "--b",
            "Content-Type: message/rfc822",
            "",
            "From: Zoë <z@example.org>",
            "Subject: inner ü",
            "",
            "inner",
            "--b--",
            "");

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

    static String expected(byte[] message) {
        MimeMessage m = MessageParser.parse(message);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("* 1 FETCH (ENVELOPE ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(StructureCache.render(StructureCache.Item.ENVELOPE, m));
        b.writeBytes(" BODYSTRUCTURE ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(StructureCache.render(StructureCache.Item.BODYSTRUCTURE, m));
        b.writeBytes(" BODY ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(StructureCache.render(StructureCache.Item.BODY, m));
        b.write(')');
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everySessionGetsTheBytesOfAFreshRendering() throws Exception {
        byte[] message = EIGHT_BIT.getBytes(StandardCharsets.UTF_8);
        String want = expected(message);
        assertThat(want).contains("{").contains("=?UTF-8?B?"); // literals and encoded words are in play
        try (ImapFixture.Session a = server.login()) {
            a.client.send("ap APPEND INBOX {" + message.length + "+}");
            a.client.sendRaw(message);
            a.client.sendRaw("\r\n");
            assertThat(a.client.until("ap").getLast()).startsWith("ap OK [APPENDUID ");
        }
        for (String enable : new String[] {null, "UTF8=ACCEPT", "IMAP4rev2", null}) {
            try (ImapFixture.Session s = server.login()) {
                if (enable != null) assertThat(s.cmd("e ENABLE " + enable).getLast()).isEqualTo("e OK ENABLE completed");
                assertThat(s.cmd("s SELECT INBOX").getLast()).startsWith("s OK ");
                List<String> got = s.cmd("f FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)");
                assertThat(got).as("with %s", enable).containsExactly(want, "f OK FETCH completed");
                List<String> withBody = s.cmd("g FETCH 1 (BODYSTRUCTURE BODY.PEEK[])");
                assertThat(withBody.getFirst()).endsWith(EIGHT_BIT + ")");
                assertThat(withBody.getLast()).isEqualTo("g OK FETCH completed");
            }
        }
    }
}
